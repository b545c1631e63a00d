// Shape tokens: how a message is made rather than what it says — markup, link and subject
// habits of mass-mailing software and obfuscation tricks. Words change with every spam run;
// these habits change slower, so they carry over to spam the models have not seen (measured by
// blocked cross-validation in bench/spam/tune.ts; figures in docs/ARCHITECTURE.md "Spam
// classifier"). Each is a plain token ("shape:…"), weighed by the classifier like any word: a
// habit that legitimate mail shares simply gets a probability near 0.5 and does not count.
// Every scan is one pass over bounded input with no regular expression.
import type { MessageView } from "../types.js";

/** Markup looked at: the first 200 kB of the HTML (a view holds at most maxTextBytes anyway). */
const MAX_HTML = 200_000;
/** Tag names counted as tokens: those whose use separates designed bulk mail from people's mail. */
const TAGS = new Set([
  "font",
  "table",
  "img",
  "center",
  "form",
  "input",
  "script",
  "style",
  "map",
  "area",
  "iframe",
  "b",
  "u",
  "i",
  "br",
  "p",
  "div",
  "span",
  "blockquote",
  "pre",
  "a",
  "body",
  "html",
  "head",
  "title",
  "meta",
  "hr",
  "strong",
]);

/** Log2 bucket of a count (0, 1, 2, 4, 8 …) so "many" is one token, not hundreds. */
function bucket(n: number): number {
  if (n <= 0) return 0;
  return 2 ** Math.min(10, Math.floor(Math.log2(n)));
}

export function shapeTokens(view: MessageView, add: (t: string) => boolean): void {
  htmlShape(view.html.length > MAX_HTML ? view.html.slice(0, MAX_HTML) : view.html, add);
  linkShape(view, add);
  subjectShape(view.subject.slice(0, 1000), add);
  textShape(view.text.length > MAX_HTML ? view.text.slice(0, MAX_HTML) : view.text, add);
}

/** Tag names used (and how many images), colour and size attributes, hidden text, comments
 *  inside words. */
function htmlShape(html: string, add: (t: string) => boolean): void {
  if (html === "") {
    add("shape:html:none");
    return;
  }
  const lower = html.toLowerCase();
  const counts = new Map<string, number>();
  let comments = 0;
  for (let i = lower.indexOf("<"); i >= 0 && i < lower.length; i = lower.indexOf("<", i + 1)) {
    if (lower.startsWith("<!--", i)) {
      comments++;
      continue;
    }
    let j = i + 1;
    while (j < lower.length && j - i < 12) {
      const c = lower.charCodeAt(j);
      if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57 && j > i + 1)) j++;
      else break;
    }
    const name = lower.slice(i + 1, j);
    if (TAGS.has(name)) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  for (const [name, n] of counts) add(`shape:tag:${name}:${bucket(n)}`);
  if (comments > 0) add(`shape:html:comments:${bucket(comments)}`);
  for (const [needle, token] of [
    ["color=", "shape:html:color"],
    ["bgcolor=", "shape:html:bgcolor"],
    ["size=", "shape:html:size"],
    ["display:none", "shape:html:hidden"],
    ["visibility:hidden", "shape:html:hidden"],
    ["font-size:1px", "shape:html:tiny"],
    ["font-size: 1px", "shape:html:tiny"],
    ["#ffffff", "shape:html:white"],
    ["mailto:", "shape:html:mailto"],
  ] as const)
    if (lower.includes(needle)) add(token);
}

/** How many links, where they point (IP hosts, ports, deep subdomains, long queries, user
 *  info), and how many distinct hosts. */
function linkShape(view: MessageView, add: (t: string) => boolean): void {
  const hosts = new Set<string>();
  let n = 0;
  for (const l of view.links) {
    if (++n > 200) break;
    if (l.host !== "") hosts.add(l.host);
    const url = l.url.toLowerCase();
    const scheme = url.indexOf("://");
    if (scheme < 0) {
      if (url.startsWith("mailto:")) add("shape:url:mailto");
      continue;
    }
    add(`shape:url:scheme:${url.slice(0, Math.min(scheme, 10))}`);
    const rest = url.slice(scheme + 3);
    let end = 0;
    while (end < rest.length && !"/?#".includes(rest[end]!)) end++;
    const authority = rest.slice(0, end);
    if (authority.includes("@")) add("shape:url:userinfo");
    const colon = authority.lastIndexOf(":");
    if (colon >= 0 && !authority.endsWith("]")) add("shape:url:port");
    let dots = 0;
    for (const ch of l.host) if (ch === ".") dots++;
    if (dots >= 3) add("shape:url:deep");
    if (l.host.includes("%")) add("shape:url:escaped-host");
    const q = rest.indexOf("?");
    if (q >= 0) add(`shape:url:query:${bucket(rest.length - q)}`);
    if (rest.includes("%") && !rest.includes("%20")) add("shape:url:escapes");
    if (l.text !== "" && l.text.length < 30 && l.text.toLowerCase().includes("click")) add("shape:url:click");
  }
  add(`shape:links:${bucket(n)}`);
  add(`shape:hosts:${bucket(hosts.size)}`);
}

/** Capitals, digits, runs of punctuation and spacing tricks in the Subject. */
function subjectShape(s: string, add: (t: string) => boolean): void {
  if (s === "") return;
  let upper = 0;
  let letters = 0;
  let digits = 0;
  let spaces = 0;
  for (const ch of s) {
    if (ch >= "0" && ch <= "9") digits++;
    else if (ch === " ") spaces++;
    else if (ch.toLowerCase() !== ch.toUpperCase()) {
      letters++;
      if (ch !== ch.toLowerCase()) upper++;
    }
  }
  if (letters >= 6) add(`shape:s:upper:${Math.round((4 * upper) / letters)}`);
  if (digits > 0) add(`shape:s:digits:${bucket(digits)}`);
  add(`shape:s:len:${bucket(s.length)}`);
  if (s.includes("  ")) add("shape:s:double-space");
  if (s.length > 12 && spaces === 0) add("shape:s:nospace");
  const trimmed = s.trimEnd();
  const tail = trimmed.lastIndexOf(" ");
  const last = trimmed.slice(tail + 1);
  // A random-looking tag after the subject ("... 28473", "... [xk3j]") that defeats duplicate
  // detection.
  if (last.length >= 3 && last.length <= 12 && hasDigit(last) && hasLetter(last)) add("shape:s:tag");
}

/** Words that mix letters and digits inside ("v1agra", "fr3e"), mixed case inside a word
 *  ("FrEe"), and runs of capital words. One pass over the text: each ASCII letter or digit is
 *  classified once (CHAR_CLASS), a word's first 30 characters are counted as they are read; a
 *  run of lower-case letters (most of any text) is stepped over by a tight loop and counted at
 *  once, since only its first letter can be a change of case (18 → 14 µs on bench:smtp's
 *  message, the same counts on all 6,046 corpus texts, upper-cased and with digits put in). */
function textShape(text: string, add: (t: string) => boolean): void {
  let mixedDigit = 0;
  let mixedCase = 0;
  let capsWords = 0;
  let words = 0;
  let i = 0;
  const n = text.length;
  while (i < n && words < 5000) {
    let c = text.charCodeAt(i);
    while (charClass(c) === OTHER) {
      if (++i >= n) break;
      c = text.charCodeAt(i);
    }
    if (i >= n) break;
    const start = i;
    const cap = start + 30;
    words++;
    let up = 0;
    let low = 0;
    let dig = 0;
    let caseChanges = 0;
    let prevUpper = -1;
    const first = charClass(c);
    let last = OTHER;
    while (i < n) {
      c = text.charCodeAt(i);
      if (c >= 97 && c <= 122) {
        const run = i;
        for (i++; i < n; i++) {
          const d = text.charCodeAt(i);
          if (d < 97 || d > 122) break;
        }
        if (run >= cap) continue;
        low += Math.min(i, cap) - run;
        if (prevUpper === 1 && run - start > 1) caseChanges++;
        prevUpper = 0;
        last = LOWER;
        continue;
      }
      const k = charClass(c);
      if (k === OTHER) break;
      const pos = i - start;
      i++;
      if (pos >= 30) continue;
      last = k;
      if (k === DIGIT) dig++;
      else {
        // Upper case (lower case is the run above).
        up++;
        if (prevUpper === 0 && pos > 1) caseChanges++;
        prevUpper = 1;
      }
    }
    if (i - start < 4) continue;
    const lettersIn = up + low;
    if (dig > 0 && lettersIn >= 3 && dig <= 2 && first !== DIGIT && last !== DIGIT) mixedDigit++;
    if (caseChanges >= 2 && low > 0) mixedCase++;
    if (up === lettersIn && lettersIn >= 4) capsWords++;
  }
  if (mixedDigit > 0) add(`shape:t:digitword:${bucket(mixedDigit)}`);
  if (mixedCase > 0) add(`shape:t:mixedcase:${bucket(mixedCase)}`);
  if (words > 0) add(`shape:t:caps:${Math.round((10 * capsWords) / words)}`);
  add(`shape:t:words:${bucket(words)}`);
}

const OTHER = 0;
const DIGIT = 1;
const UPPER = 2;
const LOWER = 3;
/** ASCII digits, upper- and lower-case letters; everything else (non-ASCII too) is OTHER. */
const CHAR_CLASS = new Uint8Array(128);
for (let c = 48; c <= 57; c++) CHAR_CLASS[c] = DIGIT;
for (let c = 65; c <= 90; c++) CHAR_CLASS[c] = UPPER;
for (let c = 97; c <= 122; c++) CHAR_CLASS[c] = LOWER;

function charClass(c: number): number {
  return c < 128 ? (CHAR_CLASS[c] ?? OTHER) : OTHER;
}

function isLetterOrDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function hasDigit(s: string): boolean {
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) >= 48 && s.charCodeAt(k) <= 57) return true;
  return false;
}

function hasLetter(s: string): boolean {
  for (let k = 0; k < s.length; k++)
    if (isLetterOrDigit(s.charCodeAt(k)) && !(s.charCodeAt(k) <= 57)) return true;
  return false;
}
