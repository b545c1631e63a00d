// HTML to plain text for the JMAP preview (RFC 8621 4.1.4) and SearchSnippet bodies: style and
// script elements dropped with their content, every other tag replaced by a space, the common
// entities decoded. Not a renderer; just enough to show the words of a message.
//
// Hand-written scanners, linear in the input (issue 18): the regexes these replace,
// /<(style|script)[^>]*>[\s\S]*?<\/\1>/gi and /<[^>]*>/g, restart their scan to the end of the
// text at every "<" that has no match, so a part of 160 KB of "<" (or of "<style>") blocked the
// event loop for 8 s. The results are the same as those regexes' on every input: each
// "next '>'" or "next '</style>'" position is looked up once and reused until the scan passes it.

/** A copy with only A-Z lower-cased: same length, so its offsets are the original's (the
 *  regexes' /i flag folded ASCII only as well). */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** Finds `needle` at or after a position, remembering the last answer: calls must come with
 *  non-decreasing positions, and then the text is scanned at most once in all. */
export function forwardFinder(hay: string, needle: string): (from: number) => number {
  let at = -2; // -2: not looked up yet; -1: none left
  return (from) => {
    if (at === -1) return -1;
    if (at < from) at = hay.indexOf(needle, from);
    return at;
  };
}

const RAW_TEXT_ELEMENTS = ["style", "script"] as const;

/** Drops <style ...>...</style> and <script ...>...</script> (case-insensitive), each replaced by
 *  one space; an element without its end tag is left for removeTags. */
export function removeStyleAndScript(html: string): string {
  if (!html.includes("<")) return html;
  const lower = asciiLower(html);
  const nextGt = forwardFinder(lower, ">");
  const nextEnd = { style: forwardFinder(lower, "</style>"), script: forwardFinder(lower, "</script>") };
  const out: string[] = [];
  let last = 0;
  let i = lower.indexOf("<");
  while (i !== -1) {
    const name = RAW_TEXT_ELEMENTS.find((n) => lower.startsWith(n, i + 1));
    if (name !== undefined) {
      const gt = nextGt(i + 1 + name.length);
      const end = gt === -1 ? -1 : nextEnd[name](gt + 1);
      if (end !== -1) {
        out.push(html.slice(last, i), " ");
        last = end + name.length + 3;
        i = lower.indexOf("<", last);
        continue;
      }
    }
    i = lower.indexOf("<", i + 1);
  }
  if (last === 0) return html;
  out.push(html.slice(last));
  return out.join("");
}

/** Replaces each "<" ... ">" by one space. A "<" with no ">" after it stays as text. */
export function removeTags(text: string): string {
  const out: string[] = [];
  let last = 0;
  let i = text.indexOf("<");
  while (i !== -1) {
    const gt = text.indexOf(">", i + 1);
    if (gt === -1) break; // no ">" after this "<", so none after any later "<" either
    out.push(text.slice(last, i), " ");
    last = gt + 1;
    i = text.indexOf("<", last);
  }
  if (last === 0) return text;
  out.push(text.slice(last));
  return out.join("");
}

export function htmlToText(html: string): string {
  return removeTags(removeStyleAndScript(html))
    .replace(/&nbsp;/gi, " ")
    .replace(/&lt;/gi, "<")
    .replace(/&gt;/gi, ">")
    .replace(/&quot;/gi, '"')
    .replace(/&amp;/gi, "&");
}

/** htmlToText of the first part of a longer HTML text: what the cut interrupted is dropped, not
 *  shown as text: a tag cut in two ("<a hr"), and a style or script element whose end tag lies
 *  beyond the cut (its CSS or code would otherwise become the preview). */
export function htmlPrefixToText(html: string): string {
  const lower = asciiLower(html);
  let end = html.length;
  const lt = lower.lastIndexOf("<");
  if (lt > lower.lastIndexOf(">")) end = lt;
  for (const name of RAW_TEXT_ELEMENTS) {
    const open = lower.lastIndexOf(`<${name}`, end);
    if (open !== -1 && open < end && lower.indexOf(`</${name}>`, open) === -1) end = open;
  }
  return htmlToText(end === html.length ? html : html.slice(0, end));
}
