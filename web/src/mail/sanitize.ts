// Message HTML → the srcdoc of a sandboxed iframe. Three independent layers keep a message from
// running code or tracking the reader:
//  1. This allowlist sanitizer. The browser's own HTML parser (DOMParser: an inert document,
//     nothing loads or runs while it works) builds the tree; a new document is then *written* from
//     it, never patched: only known-harmless HTML elements and attributes are emitted, every text
//     and attribute value escaped by our serializer, links only http(s)/mailto, images only
//     cid:/data:image and (when the user asks) remote https, CSS through sanitize-css.ts.
//     The only raw-text element in the output is <style>, and its CSS never contains `<`.
//  2. The iframe has sandbox without allow-scripts (MessageBody.tsx): no script can run in it.
//  3. The document carries its own Content-Security-Policy (script-src none, images limited as
//     in 1), on top of the page's policy that the srcdoc document inherits.
// Regex surgery on markup is what this replaced: removing `</style` once from
// `</</stylestyle>` leaves `</style>`, which closed the style element and let markup through.
//
// The output is idempotent: sanitizeHtml(sanitizeHtml(x).html).html === sanitizeHtml(x).html
// (with a cidUrl that maps a cid to a URL it accepts again). Leaving an element out but keeping its
// content can give a tree the parser would not build (`<li><fieldset><li>` without the fieldset),
// which it reshapes when it reads the output; so when that happened, the written document is
// parsed and written once more, with nothing left to leave out: that is the parser's own shape.
// Dropping whole subtrees needs no second pass (the rest is a tree the parser built), except for
// the newline the parser eats after <pre>, which the writer puts back where it is needed.
import { MAX_OPEN_TAGS, markupText, maxOpenTags } from "./open-tags";
import { cleanCss } from "./sanitize-css";

// biome-ignore format: a word list reads better packed
const DROP_WITH_CONTENT = new Set([
  "script", "style-sheet", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input",
  "button", "textarea", "select", "option", "optgroup", "datalist", "link", "meta", "base", "svg", "math",
  "noscript", "noembed", "noframes", "template", "audio", "video", "source", "track", "canvas", "dialog",
  "portal", "title", "head", "param", "area", "map", "xmp", "plaintext",
]);

// biome-ignore format: a word list reads better packed
const ALLOWED = new Set([
  "a", "abbr", "address", "article", "aside", "b", "bdi", "bdo", "big", "blockquote", "br", "caption",
  "center", "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em",
  "figcaption", "figure", "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "img",
  "ins", "kbd", "li", "main", "mark", "nav", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp",
  "section", "small", "span", "strike", "strong", "style", "sub", "summary", "sup", "table", "tbody", "td",
  "tfoot", "th", "thead", "time", "tr", "tt", "u", "ul", "var", "wbr",
]);

/** Deeper elements give only their content. Browsers' parsers stop nesting at a similar depth
 *  (Chromium at 512), and the second pass parses our output again: a bounded depth keeps that
 *  parse linear in any DOM implementation. Mail layouts nest a few dozen levels. */
const MAX_DEPTH = 256;

/** Elements without an end tag or content (HTML §13.1.2). */
const VOID = new Set(["br", "col", "hr", "img", "wbr"]);

// biome-ignore format: a word list reads better packed
const ATTRS = new Set([
  "href", "src", "alt", "title", "width", "height", "align", "valign", "bgcolor", "color", "border",
  "cellpadding", "cellspacing", "colspan", "rowspan", "style", "class", "dir", "lang", "face", "size",
  "start", "type", "span", "nowrap", "background", "datetime", "cite", "reversed", "scope", "headers",
]);

const HTML_NS = "http://www.w3.org/1999/xhtml";
const REMOTE = /^\s*https?:/i;
const LINK = /^\s*(?:https?:|mailto:)/i;
const SAFE_DATA_IMAGE = /^data:image\/(?:png|gif|jpe?g|webp|bmp);base64,[a-z0-9+/=\s]*$/i;

export interface SanitizeOptions {
  allowRemote: boolean;
  /** Content-ID (without <>) → URL of the part (our own download URL), or null to drop it. */
  cidUrl: (cid: string) => string | null;
  /** The HTML parser. Default: the browser's DOMParser; in Node, pass one from a DOM
   *  implementation, e.g. `(h) => new (new JSDOM("").window.DOMParser)().parseFromString(h, "text/html")`. */
  parse?: (html: string) => Document;
}

export interface Sanitized {
  /** The safe content: the message's CSS as <style> elements, then its body's markup. Put it in a
   *  document with frameDocument(). */
  html: string;
  blockedRemote: number;
}

export function sanitizeHtml(input: string, o: SanitizeOptions): Sanitized {
  if (maxOpenTags(input) > MAX_OPEN_TAGS) {
    // Too deep for the browser's parser to take in linear time (open-tags.ts): shown as text.
    // Line ends and NULs as the parser would leave them, and the newline it eats after <pre> put
    // back: the same text comes out of a second sanitize.
    const text = markupText(input).replace(/\r\n?/g, "\n").replace(/\0/g, "");
    return { html: `<pre>${text.startsWith("\n") ? "\n" : ""}${escapeText(text)}</pre>`, blockedRemote: 0 };
  }
  const parse = o.parse ?? ((h: string) => new DOMParser().parseFromString(h, "text/html"));
  const first = write(parse(input), o);
  if (!first.reshaped) return { html: first.html, blockedRemote: first.blocked };
  // Every attribute and CSS text in `first` has been judged already: the second pass only lets the
  // parser settle the tree's shape (see the top of the file), keeping values as they are.
  const settled = write(parse(first.html), null);
  return { html: settled.html, blockedRemote: first.blocked };
}

/** The iframe's document around sanitized content: its CSP, no referrer, links in new tabs. */
export function frameDocument(content: string, allowRemote: boolean): string {
  const imgSrc = allowRemote ? "'self' data: https:" : "'self' data:";
  const csp = `default-src 'none'; img-src ${imgSrc}; style-src 'unsafe-inline'; font-src data:`;
  // No </head>: the content's <style> elements still belong to the head, and its first other
  // markup opens the body, exactly as when the sanitizer parsed it.
  return `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<base target="_blank">
<style>html,body{margin:0;padding:0}body{padding:8px;font:14px/1.45 system-ui,sans-serif;color:#1d2330;overflow-wrap:anywhere}img{max-width:100%;height:auto}pre{white-space:pre-wrap}</style>
${content}`;
}

/** Plain text shown as HTML in the same frame (the HTML view of a text-only part). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const escapeText = (s: string) =>
  s.replace(/[&<>]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;"));
const escapeAttr = (s: string) =>
  s.replace(/[&<>"]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;"));

const TEXT_NODE = 3;
const ELEMENT_NODE = 1;

/**
 * Writes the document's allowed content. `o` null: the second pass over our own output, where
 * every attribute value is kept as it is.
 */
function write(
  doc: Document,
  o: SanitizeOptions | null,
): { html: string; blocked: number; reshaped: boolean } {
  let blocked = 0;
  /** An element was left out but its content kept: the parser may not build this tree again. */
  let reshaped = false;
  /** out.length right after a <pre> start tag: a text written there starting with a newline
   *  needs one more, since the parser drops the first (HTML §13.2.6.4.7). */
  let preOpenAt = -1;
  const styles: string[] = [];
  const css = (text: string) => {
    const c = cleanCss(text, o?.allowRemote ?? true);
    if (o) blocked += c.blocked;
    return c.css;
  };
  // Most mail puts its <style> in <head>, which the walk of <body> does not see.
  // (Sibling links, not .children: a live collection can cost quadratic time in a DOM library.)
  for (let st = doc.head?.firstElementChild ?? null; st; st = st.nextElementSibling) {
    if (st.localName === "style" && st.namespaceURI === HTML_NS) styles.push(css(st.textContent ?? ""));
  }

  const out: string[] = [];
  // An explicit stack, not recursion: the parser may nest elements without limit.
  const stack: (Node | string)[] = [];
  const pushChildren = (n: Node) => {
    for (let c = n.lastChild; c; c = c.previousSibling) stack.push(c);
  };
  if (doc.body) pushChildren(doc.body);
  let depth = 0;
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (typeof item === "string") {
      out.push(item);
      depth--;
      continue;
    }
    if (item.nodeType === TEXT_NODE) {
      const text = (item as Text).data;
      if (text === "") continue;
      if (out.length === preOpenAt && text.startsWith("\n")) out.push("\n");
      out.push(escapeText(text));
      continue;
    }
    if (item.nodeType !== ELEMENT_NODE) continue; // comments, processing instructions
    const el = item as Element;
    const tag = el.localName;
    // Anything in SVG or MathML goes, with its content: foreign content parses by other rules.
    if (el.namespaceURI !== HTML_NS || DROP_WITH_CONTENT.has(tag)) continue;
    if (!ALLOWED.has(tag) || (depth >= MAX_DEPTH && !VOID.has(tag) && tag !== "style")) {
      reshaped = true;
      pushChildren(el);
      continue;
    }
    if (tag === "style") {
      styles.push(css(el.textContent ?? ""));
      continue;
    }
    let open = `<${tag}`;
    for (const [name, value] of attributes(el, tag, o, () => blocked++, css)) {
      open += ` ${name}="${escapeAttr(value)}"`;
    }
    out.push(`${open}>`);
    if (VOID.has(tag)) continue;
    if (tag === "pre") preOpenAt = out.length;
    stack.push(`</${tag}>`);
    depth++;
    pushChildren(el);
  }
  // Leading whitespace would land in the head when the output is parsed again; it shows nothing.
  const body = out.join("").replace(/^[\t\n\f\r ]+/, "");
  const html = styles.map((s) => `<style>${s}</style>`).join("") + body;
  return { html, blocked, reshaped };
}

/** The attributes an allowed element keeps, in order, with their values made safe. */
function attributes(
  el: Element,
  tag: string,
  o: SanitizeOptions | null,
  countBlocked: () => void,
  css: (text: string) => string,
): [string, string][] {
  const kept: [string, string][] = [];
  // Names first, values only for the allowed ones: reading every Attr of an element with
  // thousands of attributes costs quadratic time in Chromium (each Attr node is made on demand).
  for (const name of el.getAttributeNames()) {
    if (!ATTRS.has(name)) continue;
    const raw = el.getAttribute(name) ?? "";
    const value = o ? attributeValue(tag, name, raw, o, countBlocked, css) : raw;
    if (value !== null) kept.push([name, value]);
  }
  if (tag === "a" && kept.some(([name]) => name === "href")) {
    kept.push(["target", "_blank"], ["rel", "noopener noreferrer"]);
  }
  return kept;
}

function attributeValue(
  tag: string,
  name: string,
  value: string,
  o: SanitizeOptions,
  countBlocked: () => void,
  css: (text: string) => string,
): string | null {
  switch (name) {
    case "style":
      return css(value);
    case "background":
      if (!REMOTE.test(value)) return null;
      if (!o.allowRemote) {
        countBlocked();
        return null;
      }
      return value;
    case "href":
      if (tag !== "a") return null;
      return LINK.test(value) || value.startsWith("#") ? value : null;
    case "src": {
      if (tag !== "img") return null;
      const src = value.trim();
      if (/^cid:/i.test(src)) {
        const cid = decodeCid(src.slice(4));
        return cid === null ? null : o.cidUrl(cid);
      }
      if (SAFE_DATA_IMAGE.test(src)) return src;
      if (REMOTE.test(src)) {
        if (o.allowRemote) return src.replace(/^\s*http:/i, "https:");
        countBlocked();
      }
      return null;
    }
    default:
      return value;
  }
}

/** RFC 2392 §2: a cid: URL is the Content-ID %-encoded. A malformed escape drops the image. */
function decodeCid(encoded: string): string | null {
  try {
    return decodeURIComponent(encoded).replace(/^<|>$/g, "");
  } catch {
    return null;
  }
}
