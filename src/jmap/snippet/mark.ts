// The text of a SearchSnippet (RFC 8621 5.1): HTML-escaped (&, <, > at least), the matching
// words wrapped in <mark></mark>, and for the preview at most 255 octets, cut around the first
// match without splitting an entity or a <mark> element.

const ENTITY: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };
const escapeChar = (c: string) => ENTITY[c] ?? c;
const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export const PREVIEW_MAX_OCTETS = 255;
/** Characters kept before the first match, so the reader sees it in context. */
const LEAD_CHARS = 30;

/** A case-insensitive matcher for any of the terms; null when there are none. */
export function termMatcher(terms: readonly string[]): RegExp | null {
  const t = [...new Set(terms.map((x) => x.trim()).filter((x) => x !== ""))];
  if (t.length === 0) return null;
  // Longest first, so "foo bar" wins over "foo" where both match.
  t.sort((a, b) => b.length - a.length);
  // Client terms, but every one escaped: an alternation of plain strings, which cannot backtrack.
  // eslint-disable-next-line no-restricted-syntax
  return new RegExp(t.map(reEscape).join("|"), "giu");
}

interface Piece {
  text: string;
  marked: boolean;
}

function pieces(text: string, re: RegExp): Piece[] | null {
  const out: Piece[] = [];
  let last = 0;
  re.lastIndex = 0;
  for (const m of text.matchAll(re)) {
    if (m[0] === "") continue;
    if (m.index > last) out.push({ text: text.slice(last, m.index), marked: false });
    out.push({ text: m[0], marked: true });
    last = m.index + m[0].length;
  }
  if (!out.some((p) => p.marked)) return null;
  if (last < text.length) out.push({ text: text.slice(last), marked: false });
  return out;
}

/** Escapes and marks `text`, keeping at most `maxOctets` UTF-8 octets (0: no limit); null when
 *  no term matches. */
export function markText(text: string, re: RegExp, maxOctets = 0): string | null {
  const ps = pieces(text, re);
  if (!ps) return null;
  let out = "";
  let size = 0;
  const fits = (n: number) => maxOctets === 0 || size + n <= maxOctets;
  for (const p of ps) {
    const open = p.marked ? "<mark>" : "";
    const close = p.marked ? "</mark>" : "";
    if (!fits(open.length + close.length + 1)) break;
    out += open;
    size += open.length + close.length;
    let full = true;
    for (const c of p.text) {
      const e = escapeChar(c);
      const n = Buffer.byteLength(e);
      if (!fits(n)) {
        full = false;
        break;
      }
      out += e;
      size += n;
    }
    out += close;
    if (!full) break;
  }
  return out;
}

/** The preview: the body text from a little before the first match, marked, <= 255 octets. */
export function markPreview(body: string, re: RegExp): string | null {
  const text = body.replace(/\s+/g, " ").trim();
  re.lastIndex = 0;
  const first = re.exec(text);
  if (!first) return null;
  let start = Math.max(0, first.index - LEAD_CHARS);
  // Start at a word boundary when one is near.
  if (start > 0) {
    const space = text.indexOf(" ", start);
    if (space >= 0 && space < first.index) start = space + 1;
    // Never start inside a surrogate pair.
    const code = text.charCodeAt(start);
    if (code >= 0xdc00 && code <= 0xdfff) start++;
  }
  return markText(text.slice(start), re, PREVIEW_MAX_OCTETS);
}
