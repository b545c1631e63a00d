// Multi-line response bodies (RFC 1939 §3): every line that begins with "." gets one more ".",
// the body ends with CRLF, then ".CRLF" terminates it. Stored messages already have CRLF line
// ends, so no other conversion is made; a bare LF is still treated as a line end for stuffing,
// because that is how clients will split it.
//
// Size policy (documented in docs): the size LIST, STAT and "+OK n octets" report is the exact
// number of octets RETR sends between its "+OK" line and the terminating ".CRLF": the stored
// message, plus one octet per stuffed dot, plus a CRLF when the message does not end with one.
// RFC 1939 §11 allows this ("the size may differ from the transmitted size"); reporting what is
// actually sent lets clients check downloads byte for byte.

const DOT = 0x2e;
const LF = 0x0a;
const CRLF = Buffer.from("\r\n");
const DOT_BUF = Buffer.from(".");

/** Octets RETR sends for this message, before the terminating ".CRLF". */
export function stuffedSize(body: Buffer): number {
  if (body.length === 0) return 0;
  let size = body.length;
  if (body[0] === DOT) size++;
  let i = body.indexOf("\n.");
  while (i >= 0) {
    size++;
    i = body.indexOf("\n.", i + 2);
  }
  if (body[body.length - 1] !== LF) size += 2;
  return size;
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
