// Stored messages have CRLF line ends (RFC 5322 2.1); files on disk (Maildir, mbox) and some
// IMAP clients use bare LF. SMTP's stricter policy, which also rewrites bare CRs, is
// src/smtp/wire/line-ends.ts.

/** `b` with every bare LF made CRLF; `b` itself (no copy) when it has none. */
export function toCrlf(b: Buffer): Buffer {
  let bare = false;
  for (let i = b.indexOf(0x0a); i !== -1; i = b.indexOf(0x0a, i + 1)) {
    if (i === 0 || b[i - 1] !== 0x0d) {
      bare = true;
      break;
    }
  }
  if (!bare) return b;
  return Buffer.from(b.toString("latin1").replace(/\r?\n/g, "\r\n"), "latin1");
}
