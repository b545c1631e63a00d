// A guard in front of the browser's HTML parser. Chromium's DOMParser takes quadratic time in the
// nesting depth (measured: 2,000 nested elements ~15-30 ms, 16,000 ~800-900 ms, any tag name), so
// a message made of a few hundred kilobytes of unclosed tags would freeze the reader's tab each
// time it is opened. Such markup is shown as text instead. The count is a linear scan that bounds
// the depth from above (start tags not yet closed, void elements aside); implied end tags (`<p>`
// after `<p>`, `<li>`, `<td>`) make it over-count, which is why the limit is generous.

/** Most start tags open at once (by the scan below) before the markup is shown as text. */
export const MAX_OPEN_TAGS = 10_000;

// biome-ignore format: a word list reads better packed
const VOID = new Set([
  "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img", "input",
  "keygen", "link", "meta", "param", "source", "track", "wbr",
]);

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isNameChar = (c: number) => isLetter(c) || (c >= 48 && c <= 57) || c === 45 || c === 58;

/** The highest number of start tags left open at any point of the markup (an upper bound on the
 *  nesting depth the parser will build, give or take implied end tags). */
export function maxOpenTags(html: string): number {
  let open = 0;
  let max = 0;
  for (let i = html.indexOf("<"); i >= 0; i = html.indexOf("<", i + 1)) {
    const end = html.charCodeAt(i + 1) === 47;
    const start = end ? i + 2 : i + 1;
    if (!isLetter(html.charCodeAt(start))) continue;
    let j = start + 1;
    while (j < html.length && isNameChar(html.charCodeAt(j))) j++;
    if (end) open = Math.max(0, open - 1);
    else if (!VOID.has(html.slice(start, j).toLowerCase())) {
      open++;
      if (open > max) max = open;
    }
  }
  return max;
}

/** The markup with its tags (and comments, doctypes) left out: what is shown instead. */
export function markupText(html: string): string {
  const parts: string[] = [];
  let from = 0;
  for (let i = html.indexOf("<"); i >= 0; i = html.indexOf("<", i + 1)) {
    const c = html.charCodeAt(i + 1);
    if (!isLetter(c) && c !== 47 && c !== 33 && c !== 63) continue; // not a tag: a literal <
    const close = html.indexOf(">", i + 1);
    parts.push(html.slice(from, i));
    if (close < 0) {
      from = html.length;
      break;
    }
    from = close + 1;
    i = close;
  }
  parts.push(html.slice(from));
  return parts.join("");
}
