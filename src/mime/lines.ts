// Line counting for BODYSTRUCTURE's body-fld-lines (RFC 3501 7.4.2): the number of lines in the
// body. Bare LF counts as a line end like CRLF; a last line without a line end counts if non-empty.

// Byte values are local consts: imported bindings cost a getter call per use under tsx's loader.
const LF = 0x0a;

export function countLines(buf: Buffer, start: number, end: number): number {
  if (end <= start) return 0;
  const view = buf.subarray(start, end);
  let n = 0;
  let i = view.indexOf(LF);
  while (i !== -1) {
    n++;
    i = view.indexOf(LF, i + 1);
  }
  if (view[view.length - 1] !== LF) n++;
  return n;
}
