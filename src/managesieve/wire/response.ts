// ManageSieve responses (RFC 5804 §4): "OK" / "NO" / "BYE", an optional response code in
// parentheses, an optional human-readable string; strings go quoted when short and plain, else as
// a literal ({n} CRLF octets, literal-s2c). Pure functions, no I/O.

export type ResponseKind = "OK" | "NO" | "BYE";

/** RFC 5804 §1.3 response codes (REFERRAL is not used: one server holds every script). */
export type ResponseCode =
  | "AUTH-TOO-WEAK"
  | "ENCRYPT-NEEDED"
  | "QUOTA"
  | "QUOTA/MAXSCRIPTS"
  | "QUOTA/MAXSIZE"
  | "NONEXISTENT"
  | "ACTIVE"
  | "ALREADYEXISTS"
  | "WARNINGS"
  | "TRYLATER"
  | { tag: Buffer }
  | { sasl: string };

/** A string as the server sends it: quoted when it can be (at most 1024 octets, no CR, LF or
 *  NUL: RFC 5804 §4 quoted), else a literal. */
export function sieveString(s: string | Buffer): Buffer {
  const b = typeof s === "string" ? Buffer.from(s, "utf8") : s;
  if (b.length <= 1024 && !b.includes(0x0d) && !b.includes(0x0a) && !b.includes(0x00)) {
    let escaped = b;
    if (b.includes(0x22) || b.includes(0x5c)) {
      const out: number[] = [];
      for (const c of b) {
        if (c === 0x22 || c === 0x5c) out.push(0x5c);
        out.push(c);
      }
      escaped = Buffer.from(out);
    }
    return Buffer.concat([Buffer.from('"'), escaped, Buffer.from('"')]);
  }
  return Buffer.concat([Buffer.from(`{${b.length}}\r\n`), b]);
}

function codeText(code: ResponseCode): Buffer {
  if (typeof code === "string") return Buffer.from(`(${code}) `);
  if ("tag" in code) return Buffer.concat([Buffer.from("(TAG "), sieveString(code.tag), Buffer.from(") ")]);
  return Buffer.concat([Buffer.from("(SASL "), sieveString(code.sasl), Buffer.from(") ")]);
}

/** One response: `OK (CODE) "text"` CRLF. */
export function responseLine(kind: ResponseKind, opts: { code?: ResponseCode; text?: string } = {}): Buffer {
  const parts: Buffer[] = [Buffer.from(kind)];
  if (opts.code !== undefined || opts.text !== undefined) parts.push(Buffer.from(" "));
  if (opts.code !== undefined) parts.push(codeText(opts.code));
  if (opts.text !== undefined) parts.push(sieveString(opts.text));
  let out = Buffer.concat(parts);
  // codeText ends in a space for the text to follow; without one, drop it.
  if (opts.text === undefined && out[out.length - 1] === 0x20) out = out.subarray(0, out.length - 1);
  return Buffer.concat([out, Buffer.from("\r\n")]);
}
