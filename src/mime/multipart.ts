// Multipart body splitting (RFC 2046 5.1.1). A delimiter line is "--" boundary, optionally "--"
// (the close delimiter), optional transport padding (SP/HT), then a line end (CRLF, bare LF) or
// the end of the region. The line end BEFORE a delimiter belongs to the delimiter, so a body part
// ends before it. The preamble and epilogue are not parts. A missing close delimiter lets the last
// part run to the end of the region.

// Byte values are local consts: imported bindings cost a getter call per use under tsx's loader.
const CR = 0x0d;
const HT = 0x09;
const LF = 0x0a;
const SP = 0x20;

export interface Span {
  start: number;
  end: number;
}

const DASH = 0x2d;

/** The body parts of the multipart body in [start, end), at most `maxParts` of them (when the
 *  limit is hit the last part runs to the end of the region). Empty when no part was found. */
export function splitMultipart(
  buf: Buffer,
  start: number,
  end: number,
  boundary: string,
  maxParts: number,
): Span[] {
  const view = buf.subarray(start, end);
  const len = view.length;
  const needle = Buffer.from("--" + boundary, /^[\x00-\x7f]*$/.test(boundary) ? "latin1" : "utf8");
  const spans: Span[] = [];
  let open = -1; // start of the current part, relative to view
  let from = 0;
  let truncated = false;
  while (from < len) {
    const p = view.indexOf(needle, from);
    if (p === -1) break;
    from = p + 1;
    if (p > 0 && view[p - 1] !== LF) continue;
    let q = p + needle.length;
    let close = false;
    if (view[q] === DASH && view[q + 1] === DASH) {
      close = true;
      q += 2;
    }
    while (q < len && (view[q] === SP || view[q] === HT)) q++;
    let after: number;
    if (q >= len) after = len;
    else if (view[q] === LF) after = q + 1;
    else if (view[q] === CR && (q + 1 >= len || view[q + 1] === LF)) after = Math.min(q + 2, len);
    else continue; // "--boundary" is only a prefix of this line: not a delimiter
    let lineStart = p;
    if (p > 0) {
      lineStart = p - 1;
      if (lineStart > 0 && view[lineStart - 1] === CR) lineStart--;
    }
    if (open !== -1) spans.push({ start: start + open, end: start + Math.max(open, lineStart) });
    open = -1;
    if (close) break;
    if (spans.length >= maxParts) {
      truncated = true;
      break;
    }
    open = after;
    from = after;
  }
  if (open !== -1) spans.push({ start: start + open, end });
  else if (truncated && spans.length > 0) spans[spans.length - 1]!.end = end;
  return spans;
}
