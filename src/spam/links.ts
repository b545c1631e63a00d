// Links of a message for the spam filter: <a href> in HTML with their visible text, and bare
// http(s):// and www. URLs in plain text. One forward pass each (no regex that can backtrack):
// the input is the sender's.

import { forwardFinder } from "../jmap/email/html-text.js";
import type { Link } from "./types.js";

const MAX_URL = 2048;

export function extractLinks(html: string, text: string, max: number): Link[] {
  const out: Link[] = [];
  anchors(html, out, max);
  bareUrls(text, out, max);
  return out;
}

/** <a ... href="..." ...>text</a>, case-insensitive; text is what lies up to the next </a>.
 *  The document is never copied whole (no toLowerCase of it): only tags are. */
function anchors(html: string, out: Link[], max: number): void {
  // Positions asked of each finder only grow: every search scans the text once in all.
  const nextGt = forwardFinder(html, ">");
  const nextClose = closeFinder(html);
  let i = html.indexOf("<");
  while (i !== -1 && out.length < max) {
    const a = html.charCodeAt(i + 1) | 0x20;
    // "<a" followed by whitespace: an anchor ("<abbr", "<area" are not).
    if (a === 0x61 && isSpace(html.charCodeAt(i + 2))) {
      const gt = nextGt(i);
      if (gt === -1) return;
      const href = attribute(html.slice(i, gt), "href");
      const close = nextClose(gt);
      const inner = html.slice(gt + 1, close === -1 ? Math.min(html.length, gt + 1 + 2000) : close);
      if (href !== null) out.push(link(decodeEntities(href), visibleText(inner)));
      i = html.indexOf("<", close === -1 ? gt : close + 1);
      continue;
    }
    i = html.indexOf("<", i + 1);
  }
}

/** Finds "</a" in any case at or after a position; positions asked must not decrease. */
function closeFinder(html: string): (from: number) => number {
  const nextEndTag = forwardFinder(html, "</");
  let at = -2;
  return (from) => {
    if (at === -1 || at >= from) return at;
    let p = nextEndTag(from);
    while (p !== -1 && !isCloseA(html, p)) p = nextEndTag(p + 1);
    at = p;
    return at;
  };
}

/** The value of attribute `name` inside one tag's text ("<a ... "). */
function attribute(tag: string, name: string): string | null {
  const html = tag;
  const lower = tag.toLowerCase();
  const end = tag.length;
  let i = lower.indexOf(name);
  while (i !== -1) {
    const before = lower.charCodeAt(i - 1);
    let j = i + name.length;
    while (j < end && isSpace(lower.charCodeAt(j))) j++;
    if (isSpace(before) && lower[j] === "=") {
      j++;
      while (j < end && isSpace(lower.charCodeAt(j))) j++;
      const q = html[j];
      if (q === '"' || q === "'") {
        const close = html.indexOf(q, j + 1);
        return html.slice(j + 1, close === -1 || close > end ? end : close).slice(0, MAX_URL);
      }
      let k = j;
      while (k < end && !isSpace(html.charCodeAt(k))) k++;
      return html.slice(j, k).slice(0, MAX_URL);
    }
    i = lower.indexOf(name, i + name.length);
  }
  return null;
}

function bareUrls(text: string, out: Link[], max: number): void {
  const lower = text.toLowerCase();
  const nextHttp = forwardFinder(lower, "http");
  const nextWww = forwardFinder(lower, "www.");
  let i = 0;
  while (out.length < max) {
    const h = nextHttp(i);
    const w = nextWww(i);
    const at = h === -1 ? w : w === -1 ? h : Math.min(h, w);
    if (at === -1) return;
    const isUrl =
      lower.startsWith("http://", at) || lower.startsWith("https://", at) || lower.startsWith("www.", at);
    if (!isUrl || (at > 0 && isWordChar(lower.charCodeAt(at - 1)))) {
      i = at + 4;
      continue;
    }
    let end = at;
    while (end < text.length && end - at < MAX_URL && isUrlChar(text.charCodeAt(end))) end++;
    // Sentence punctuation after a URL is not part of it.
    while (end > at && ".,;:!?)]".includes(text[end - 1] ?? "")) end--;
    const url = text.slice(at, end);
    out.push(link(url, ""));
    i = end;
  }
}

function link(url: string, text: string): Link {
  return { url, host: hostOf(url), text };
}

/** Lower-cased host of an absolute http(s) URL, a protocol-relative one or a "www." one. */
export function hostOf(url: string): string {
  const u = url.trim().toLowerCase();
  let rest: string;
  if (u.startsWith("http://")) rest = u.slice(7);
  else if (u.startsWith("https://")) rest = u.slice(8);
  else if (u.startsWith("//")) rest = u.slice(2);
  else if (u.startsWith("www.")) rest = u;
  else return "";
  let end = 0;
  while (end < rest.length && !"/?#\\".includes(rest[end] ?? "")) end++;
  let host = rest.slice(0, end);
  const at = host.lastIndexOf("@");
  if (at !== -1) host = host.slice(at + 1);
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  const colon = host.indexOf(":");
  if (colon !== -1) host = host.slice(0, colon);
  let stop = host.length;
  while (stop > 0 && host[stop - 1] === ".") stop--;
  return host.slice(0, stop);
}

function visibleText(inner: string): string {
  const out: string[] = [];
  let inTag = false;
  for (const ch of inner) {
    if (ch === "<") inTag = true;
    else if (ch === ">") inTag = false;
    else if (!inTag) out.push(ch);
  }
  return decodeEntities(out.join("")).replace(/\s+/g, " ").trim().slice(0, 500);
}

function decodeEntities(s: string): string {
  if (!s.includes("&")) return s;
  return s
    .replace(/&#x([0-9a-f]{1,6});/gi, (_, h: string) => safeChar(Number.parseInt(h, 16)))
    .replace(/&#(\d{1,7});/g, (_, d: string) => safeChar(Number(d)))
    .replace(/&nbsp;/gi, " ")
    .replace(/&lt;/gi, "<")
    .replace(/&gt;/gi, ">")
    .replace(/&quot;/gi, '"')
    .replace(/&amp;/gi, "&");
}

function safeChar(cp: number): string {
  return cp > 0 && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? String.fromCodePoint(cp) : "";
}

/** "</a" at p, not "</abbr" or "</address". */
function isCloseA(html: string, p: number): boolean {
  const after = html.charCodeAt(p + 3) | 0x20;
  return (html.charCodeAt(p + 2) | 0x20) === 0x61 && !(after >= 0x61 && after <= 0x7a);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c;
}

function isWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

function isUrlChar(c: number): boolean {
  return c > 0x20 && c < 0x7f && c !== 0x22 && c !== 0x3c && c !== 0x3e && c !== 0x27;
}
