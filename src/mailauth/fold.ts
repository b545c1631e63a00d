// Folding of the fields the checks write (Authentication-Results items, Received-SPF) the way
// mailauth folded them, so they read as they did.

/** Folds a long Authentication-Results item at whitespace, as mailauth does (libmime's foldLines,
 *  whitespace kept at the start of the continuation line), so our field reads as its did: a
 *  window of `width` characters is cut before its last whitespace run, or, when it has none,
 *  after the word that crosses its end. */
export function foldLine(s: string, width: number): string {
  let out = "";
  let pos = 0;
  while (pos < s.length) {
    let line = s.slice(pos, pos + width);
    if (line.length < width) {
      out += line;
      break;
    }
    const nl = line.search(/\r?\n|\r/);
    if (nl >= 0) {
      const m = /\r?\n|\r/.exec(line.slice(nl))!;
      line = line.slice(0, nl + m[0].length);
      out += line;
      pos += line.length;
      continue;
    }
    const cut = lastWhitespaceRun(line);
    if (cut > 0) line = line.slice(0, cut);
    else {
      let end = pos + line.length;
      while (end < s.length && !/\s/.test(s[end]!)) end++;
      line = s.slice(pos, end);
    }
    out += line;
    pos += line.length;
    if (pos < s.length) out += "\r\n";
  }
  return out;
}

/** Start of the last run of whitespace in `line` that is followed only by non-whitespace, or -1. */
function lastWhitespaceRun(line: string): number {
  let i = line.length;
  while (i > 0 && !/\s/.test(line[i - 1]!)) i--;
  if (i === 0) return -1;
  while (i > 0 && /\s/.test(line[i - 1]!)) i--;
  return i;
}
