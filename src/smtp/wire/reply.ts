// SMTP replies on the wire (RFC 5321 §4.2): "code SP text" or, for several lines, "code-text"
// on all but the last. Enhanced status codes (RFC 2034 §3, RFC 3463) follow the basic code on
// every line; the greeting and the HELO/EHLO replies carry none.

export interface Reply {
  code: number;
  /** "x.y.z" (RFC 3463), or null for replies that carry none. */
  enhanced: string | null;
  lines: string[];
}

export function reply(code: number, enhanced: string | null, ...lines: string[]): Reply {
  return { code, enhanced, lines: lines.length > 0 ? lines : [""] };
}

/** The bytes of a reply, CRLF-terminated. Text is never allowed to contain CR or LF. */
export function formatReply(r: Reply): string {
  let out = "";
  r.lines.forEach((text, i) => {
    const sep = i === r.lines.length - 1 ? " " : "-";
    const words = [r.enhanced, text.replace(/[\r\n]+/g, " ")].filter((w) => w);
    out += `${r.code}${sep}${words.join(" ")}\r\n`;
  });
  return out;
}
