// Arguments of MAIL and RCPT (RFC 5321 §4.1.2): "FROM:" Reverse-path / "TO:" Forward-path,
// then ESMTP parameters "KEY[=VALUE]" separated by spaces (§4.1.2 Mail-parameters).
// Source routes ("<@a,@b:user@c>") are accepted and ignored (§4.1.2, §C). A space after the
// colon is tolerated: many clients send one. Mailbox syntax is checked by parseAddress.

import { parseAddress } from "../../delivery/address.js";

export interface EsmtpParam {
  key: string; // upper case
  value: string | null;
}

export interface PathArg {
  /** "local@domain" as given (domain case kept), or "" for the null path "<>". */
  address: string;
  local: string;
  domain: string;
  /** True when the address has non-ASCII characters (needs SMTPUTF8, RFC 6531 §3.4). */
  utf8: boolean;
  params: EsmtpParam[];
}

export type PathParse = { ok: true; path: PathArg } | { ok: false; reason: string };

const MAX_PATH = 256;
const fromPrefix = /^FROM:[ ]?/i;
const toPrefix = /^TO:[ ]?/i; // octets, RFC 5321 §4.5.3.1.3

export function parsePathArg(arg: string, keyword: "FROM" | "TO"): PathParse {
  const m = (keyword === "FROM" ? fromPrefix : toPrefix).exec(arg);
  if (!m) return { ok: false, reason: `Syntax: ${keyword === "FROM" ? "MAIL FROM" : "RCPT TO"}:<address>` };
  const rest = arg.slice(m[0].length);
  if (!rest.startsWith("<")) return { ok: false, reason: "Address must be in angle brackets" };
  const close = findClosingBracket(rest);
  if (close < 0) return { ok: false, reason: "Unterminated address" };
  let inner = rest.slice(1, close);
  if (Buffer.byteLength(inner, "utf8") > MAX_PATH) return { ok: false, reason: "Path too long" };
  // A-d-l ":" (source route): obsolete, ignored.
  if (inner.startsWith("@")) {
    const colon = inner.indexOf(":");
    if (colon < 0) return { ok: false, reason: "Bad source route" };
    inner = inner.slice(colon + 1);
  }
  const params = parseParams(rest.slice(close + 1));
  if (!params.ok) return params;
  const utf8 = /[^\x00-\x7f]/.test(inner);
  if (inner === "") {
    if (keyword === "TO") return { ok: false, reason: "Recipient address required" };
    return { ok: true, path: { address: "", local: "", domain: "", utf8: false, params: params.params } };
  }
  // "RCPT TO:<Postmaster>" without a domain must be accepted (RFC 5321 §4.1.1.3, §4.5.1);
  // the caller decides whose postmaster that is (domain "").
  if (keyword === "TO" && inner.toLowerCase() === "postmaster")
    return {
      ok: true,
      path: { address: inner, local: inner, domain: "", utf8: false, params: params.params },
    };
  const parsed = parseAddress(inner);
  if (!parsed) return { ok: false, reason: "Bad address syntax" };
  return { ok: true, path: { address: inner, ...parsed, utf8, params: params.params } };
}

/** The ">" closing the path: quoted local parts may hold ">" (`<"a>b"@example.org>`). */
function findClosingBracket(s: string): number {
  let quoted = false;
  for (let i = 1; i < s.length; i++) {
    const c = s[i];
    if (quoted && c === "\\") i++;
    else if (c === '"') quoted = !quoted;
    else if (c === ">" && !quoted) return i;
  }
  return -1;
}

type ParamsParse = { ok: true; params: EsmtpParam[] } | { ok: false; reason: string };

/** esmtp-keyword ["=" esmtp-value] (RFC 5321 §4.1.2; values may be UTF-8 under RFC 6531 §3.3). */
export function parseParams(s: string): ParamsParse {
  const params: EsmtpParam[] = [];
  // Keys seen so far: a Set, since scanning `params` for each key is quadratic in a 64 KiB line.
  const seen = new Set<string>();
  if (s !== "" && !s.startsWith(" ")) return { ok: false, reason: "Expected space before parameters" };
  for (const word of s.split(" ")) {
    if (word === "") continue;
    const eq = word.indexOf("=");
    const key = (eq < 0 ? word : word.slice(0, eq)).toUpperCase();
    const value = eq < 0 ? null : word.slice(eq + 1);
    if (!/^[A-Z0-9][A-Z0-9-]*$/.test(key)) return { ok: false, reason: `Bad parameter ${key}` };
    if (value !== null && !/^[\x21-\x3c\x3e-\x7e\u{80}-\u{10FFFF}]+$/u.test(value))
      return { ok: false, reason: `Bad value for ${key}` };
    if (seen.has(key)) return { ok: false, reason: `Duplicate parameter ${key}` };
    seen.add(key);
    params.push({ key, value });
  }
  return { ok: true, params };
}
