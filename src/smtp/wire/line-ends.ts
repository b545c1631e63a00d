// Line-end hygiene of a message received with BDAT (RFC 3030 §3: without BINARYMIME the
// content must use CRLF line ends). DATA gets the same checks from its DotDecoder.

export interface LineEndReport {
  bareLf: boolean;
  bareCr: boolean;
  lineTooLong: boolean;
}

export function checkLineEnds(b: Buffer, maxLineLength: number): LineEndReport {
  let bareLf = false;
  let bareCr = false;
  let lineTooLong = false;
  let lineStart = 0;
  let pos = 0;
  // The next CR at or after pos, searched again only once passed: asking indexOf(13, pos) per
  // line rescanned to the end of a CR-less message at every LF (quadratic: a 160 KB BDAT of
  // bare LFs took 0.5 s, 25 MB hours, issue 18).
  let cr = b.indexOf(13);
  for (;;) {
    const lf = b.indexOf(10, pos);
    const end = lf < 0 ? b.length : lf;
    if (lf >= 0 && (lf === 0 || b[lf - 1] !== 13)) bareLf = true;
    const contentEnd = lf > 0 && b[lf - 1] === 13 ? lf - 1 : end;
    if (cr >= 0 && cr < pos) cr = b.indexOf(13, pos);
    if (cr >= 0 && cr < contentEnd) bareCr = true;
    if (lf >= 0 && b[lf - 1] === 13) {
      if (contentEnd - lineStart > maxLineLength) lineTooLong = true;
      lineStart = lf + 1;
    }
    if (lf < 0) {
      // trailing CR at the very end is bare too
      if (b.length > pos && b[b.length - 1] === 13) bareCr = true;
      if (b.length - lineStart > maxLineLength) lineTooLong = true;
      break;
    }
    pos = lf + 1;
  }
  return { bareLf, bareCr, lineTooLong };
}

/** Rewrite every bare CR and bare LF as CRLF (smtp.bareLineEnds = "normalize"). */
export function normalizeLineEnds(b: Buffer): Buffer {
  // latin1 maps bytes to code points one to one, so this round trip is byte-exact.
  return Buffer.from(b.toString("latin1").replace(/\r\n|\r|\n/g, "\r\n"), "latin1");
}
