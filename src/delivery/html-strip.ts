// Linear-time pieces of the vacation reply's HTML-to-text (vacation-message.ts). The regexes they
// replace, /<[^>]*>/g and /<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, rescan the rest of the text
// from every "<" (or every "<style") that has no closing partner: quadratic, so a vacation text of
// a few megabytes of "<" held the event loop, and with it every user, for hours (issue 18).
// Each function here moves forward only, with indexOf.

/** Drops `<script …>…</script>` and `<style …>…</style>` elements, tags and content (any case).
 *  An element without its end tag is left as it is, like the regex did. */
export function dropScriptAndStyle(html: string): string {
  // ASCII letters only: toLowerCase() can change the length ("İ"), and then offsets would not match.
  const lower = html.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  const open = { script: true, style: true }; // false once a name has no end tag left
  let out = "";
  let pos = 0;
  for (;;) {
    const at = nextOpening(lower, pos, open);
    if (!at) break;
    const gt = lower.indexOf(">", at.index + at.name.length + 1);
    if (gt < 0) break; // no ">" left: no element can open any more
    const close = lower.indexOf(`</${at.name}>`, gt + 1);
    if (close < 0) {
      // No end tag after this one, so none after any later opening of this name either.
      open[at.name] = false;
      continue;
    }
    out += html.slice(pos, at.index);
    pos = close + at.name.length + 3;
  }
  return out + html.slice(pos);
}

function nextOpening(
  lower: string,
  from: number,
  open: { script: boolean; style: boolean },
): { index: number; name: "script" | "style" } | null {
  const script = open.script ? lower.indexOf("<script", from) : -1;
  const style = open.style ? lower.indexOf("<style", from) : -1;
  if (script < 0 && style < 0) return null;
  if (style < 0 || (script >= 0 && script < style)) return { index: script, name: "script" };
  return { index: style, name: "style" };
}

/** Drops every `<…>` tag; a "<" with no ">" after it stays text. */
export function dropTags(html: string): string {
  let out = "";
  let pos = 0;
  for (;;) {
    const lt = html.indexOf("<", pos);
    if (lt < 0) break;
    const gt = html.indexOf(">", lt + 1);
    if (gt < 0) break; // no ">" after this "<", so none after any later "<" either
    out += html.slice(pos, lt);
    pos = gt + 1;
  }
  return out + html.slice(pos);
}
