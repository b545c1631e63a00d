// Fuzz target of the webmail's HTML sanitizer (web/src/mail/sanitize.ts, issue 18 finding 7), on
// jsdom's HTML parser. Registered in src/fuzz/targets/index.ts; it lives here, not in
// src/fuzz/targets/, because it is browser code checked under the webmail's tsconfig (DOM types).
// Checks on every input, as the reading frame would parse the output: only allowed elements, no
// handler attribute, links http(s)/mailto/#, images cid:/data:image (https: only when remote
// content is allowed), CSS without a fetching function when it is not; and idempotence.
import { check, type FuzzTarget } from "../../../src/fuzz/target";
import { frameDocument, sanitizeHtml } from "../mail/sanitize";
import { parseHtml } from "./dom";

// biome-ignore format: a word list reads better packed
const EMITTED = new Set([
  "a", "abbr", "address", "article", "aside", "b", "bdi", "bdo", "big", "blockquote", "br", "caption",
  "center", "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em",
  "figcaption", "figure", "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "img",
  "ins", "kbd", "li", "main", "mark", "nav", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp",
  "section", "small", "span", "strike", "strong", "sub", "summary", "sup", "table", "tbody", "td",
  "tfoot", "th", "thead", "time", "tr", "tt", "u", "ul", "var", "wbr",
]);
// A whole function or at-rule name (not the end of a longer name such as `styurl(`), vendor
// prefixes included; names are judged after cssNames() decoded them.
const FETCHING_CSS =
  /(?<![-\w\u0080-\uffff])(?:-[a-z]+-)?(?:url|src|image|image-set|cross-fade|expression)\(|@(?:-[a-z]+-)?import(?![-\w\u0080-\uffff])/i;

const isHexDigit = (c: string) => /^[0-9a-f]$/i.test(c);
/** An escaped code point is part of a name whatever it is (`blo\\9 url(` is one function name
 *  with a tab in it, `url\\(` a name, not a call): one that is not a name character in plain text
 *  stands as "_" here, so the checks below do not read it as a separator. */
const asNameChar = (c: string) => (/^[-\w\u0080-\uffff]$/.test(c) ? c : "_");

/**
 * CSS as the browser's tokenizer sees names in it (CSS Syntax 3 §4.3): strings (ended by their
 * quote or, as a bad string, by a newline) and comments blanked, escapes outside them decoded.
 * A function name found in the result is one the browser would call; text inside a string is not.
 */
function cssNames(css: string): string {
  let out = "";
  let i = 0;
  const n = css.length;
  while (i < n) {
    const c = css[i]!;
    if (c === "/" && css[i + 1] === "*") {
      const end = css.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
      out += " ";
    } else if (c === '"' || c === "'") {
      i++;
      while (i < n && css[i] !== c && !"\n\r\f".includes(css[i]!)) i += css[i] === "\\" ? 2 : 1;
      if (css[i] === c) i++;
      out += '""';
    } else if (c === "\\" && i + 1 < n && !"\n\r\f".includes(css[i + 1]!)) {
      let j = i + 1;
      let hex = "";
      while (j < n && hex.length < 6 && isHexDigit(css[j]!)) hex += css[j++];
      if (hex === "") {
        out += asNameChar(css[j]!);
        i = j + 1;
      } else {
        if (j < n && " \t\n\r\f".includes(css[j]!)) j++;
        const cp = Number.parseInt(hex, 16);
        out += asNameChar(
          cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? "\ufffd" : String.fromCodePoint(cp),
        );
        i = j;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
const cidUrl = (cid: string) => `cid:${encodeURIComponent(cid)}`;

function checkSafe(content: string, allowRemote: boolean): void {
  const doc = parseHtml(frameDocument(content, allowRemote));
  check(
    doc.querySelectorAll("meta").length === 3 && doc.querySelectorAll("base").length === 1,
    "frame head changed",
  );
  for (const el of doc.body.querySelectorAll("*")) {
    check(
      el.namespaceURI === "http://www.w3.org/1999/xhtml" && EMITTED.has(el.localName),
      `<${el.localName}> emitted`,
    );
    for (const a of el.attributes) {
      check(!a.name.startsWith("on"), `handler ${a.name}`);
      if (a.name === "href") check(/^\s*(?:https?:|mailto:|#)/i.test(a.value), `href ${a.value}`);
      if (a.name === "src")
        check(
          (allowRemote ? /^(?:cid:|data:image\/|https:)/i : /^(?:cid:|data:image\/)/i).test(a.value),
          `src ${a.value}`,
        );
      if (a.name === "style" && !allowRemote)
        check(!FETCHING_CSS.test(cssNames(a.value)), `style ${a.value}`);
    }
  }
  for (const st of doc.querySelectorAll("style")) {
    check(st.parentElement?.localName === "head", "style outside the head");
    if (!allowRemote) check(!FETCHING_CSS.test(cssNames(st.textContent ?? "")), `CSS ${st.textContent}`);
  }
}

export const sanitizerTarget: FuzzTarget = {
  name: "sanitizer",
  coverage: ["web/src/mail/sanitize", "web/src/mail/open-tags.ts"],
  dictionary: [
    "<style>",
    "</style>",
    "</</stylestyle>",
    "<script>",
    "<img src=cid:a%E0%A4%A>",
    '<a href="javascript:x">',
    "<svg><style><img src=x onerror=a>",
    "<math><mtext><table><mglyph><style>",
    '<noscript><p title="</noscript><img src=x onerror=a>">',
    "<template>",
    "<table><tr><td>",
    "<select><template><style>",
    "<!--",
    "-->",
    "<![CDATA[",
    "<link rel=preconnect href=https://e/>",
    "url(",
    "\\75 rl(",
    "@\\69mport",
    "image-set(",
    "background:",
    'style="',
    "/*",
    "*/",
    "&lt;",
    "&#x3c;",
    "\0",
    "<",
    ">",
    '"',
    "'",
  ],
  maxLength: 4096,
  run(input) {
    const html = input.toString("utf8");
    const allowRemote = input.length % 2 === 0;
    const once = sanitizeHtml(html, { allowRemote, cidUrl, parse: parseHtml }).html;
    checkSafe(once, allowRemote);
    const twice = sanitizeHtml(once, { allowRemote, cidUrl, parse: parseHtml }).html;
    check(twice === once, `not idempotent: ${JSON.stringify(once)} became ${JSON.stringify(twice)}`);
  },
};
