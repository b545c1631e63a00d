// Multi-line response bodies (RFC 1939 §3): every line that begins with "." gets one more ".",
// the body ends with CRLF, then ".CRLF" terminates it. Stored messages already have CRLF line
// ends, so no other conversion is made; a bare LF is still treated as a line end for stuffing,
// because that is how clients will split it.
//
// Size policy: the size LIST, STAT and "+OK n octets" report is that of the message itself
// (RFC 1939 §11), as Dovecot reports it: its octets with CRLF line ends, before stuffing. That is
// exactly what a client has once it un-stuffs RETR's answer (Python's poplib counts it so), a
// CRLF added to a message that does not end with one included. The dot-stuffed size would make
// every message with a line starting with "." look a few octets short to such a client.

const DOT = 0x2e;
const LF = 0x0a;
const CRLF = Buffer.from("\r\n");
const DOT_BUF = Buffer.from(".");

/** The message's size as LIST/STAT report it: octets RETR sends before stuffing (see above). */
export function messageSize(body: Buffer): number {
  if (body.length === 0) return 0;
  return body[body.length - 1] === LF ? body.length : body.length + 2;
}

/**
 * The stuffed body as a list of buffers (slices of `body` where possible, no copy), ending with
 * the line end the body needs but not the ".CRLF" terminator.
 */
export function stuffedPieces(body: Buffer): Buffer[] {
  if (body.length === 0) return [];
  const out: Buffer[] = [];
  let from = 0;
  if (body[0] === DOT) out.push(DOT_BUF);
  let i = body.indexOf("\n.");
  while (i >= 0) {
    out.push(body.subarray(from, i + 1));
    out.push(DOT_BUF);
    from = i + 1;
    i = body.indexOf("\n.", i + 2);
  }
  out.push(body.subarray(from));
  if (body[body.length - 1] !== LF) out.push(CRLF);
  return out;
}

/** The stuffed body as one buffer (small responses, tests). */
export function dotStuff(body: Buffer): Buffer {
  return Buffer.concat(stuffedPieces(body));
}

/**
 * TOP msg n (RFC 1939 §7): the header, the blank line after it, then the first n lines of the
 * body. A message without a blank line is all header. Not stuffed yet.
 */
export function topOf(message: Buffer, lines: number): Buffer {
  const crlf = message.indexOf("\r\n\r\n");
  const lf = message.indexOf("\n\n");
  let bodyStart: number;
  if (crlf >= 0 && (lf < 0 || crlf < lf)) bodyStart = crlf + 4;
  else if (lf >= 0) bodyStart = lf + 2;
  else return message;
  let end = bodyStart;
  for (let n = 0; n < lines && end < message.length; n++) {
    const nl = message.indexOf(LF, end);
    end = nl < 0 ? message.length : nl + 1;
  }
  return message.subarray(0, end);
}
