// The classifier's features: a message's tokens, each hashed once (hash.ts). Tokens come from
// the decoded view (message-view.ts), never from raw bytes, so base64, quoted-printable and
// RFC 2047 cannot hide words. Kinds, each with its own prefix so "free" in a Subject and in the
// body count separately (SpamBayes' lesson: header context is worth more than the word):
//   body and subject words, lower-cased, 3–12 characters; longer ones become "skip:<first> <len
//   rounded to 10>" (SpamBayes), e-mail addresses their domain; optionally adjacent word pairs ("bi:");
//   CJK and Thai runs (no spaces between words) as overlapping character bigrams;
//   selected header fields: which fields are present, sender/recipient addresses and domains,
//   Content-Type and charset, X-Mailer/User-Agent, Message-ID domain, Date's zone, the
//   Received chain's hosts and IP prefixes; URL hosts and their registrable-looking domains, and
//   the words of URL paths; attachment types and extensions; shape tokens (shape.ts: how the
//   message is made — markup, link, subject and obfuscation habits).
// Bounded: at most `maxTokens` distinct tokens, and every scan is one linear pass (no regex
// here can backtrack: each has one unbounded quantifier and no alternation over it).

// shape.ts did not change with the one-pass tokeniser: the reference uses the live one.
import { shapeTokens } from "../../../src/spam/classifier/shape.js";
import type { MessageView } from "../../../src/spam/types.js";
import { hash53 } from "./hash.js";

export interface TokenOptions {
  /** Distinct tokens kept per message (the first ones: headers, subject, URLs, then the body);
   *  default 3,000 — a long newsletter has ~1,500 distinct words and pairs. */
  maxTokens?: number;
  /** Adjacent word pairs; default false: measured by 5-fold cross-validation on the 2002 corpus
   *  groups, pairs raise the ROC AUC a little (0.9960 → 0.9974) but lower spam recall at 0.1 %
   *  false positives (94.6 % → 89.8 %): a pair repeats its words' evidence, and the chi-square
   *  combination, which assumes independent clues, then over-trusts it on newsletter-like ham. */
  bigrams?: boolean;
  /** Header tokens; default true. */
  headers?: boolean;
  /** Shape tokens (shape.ts); default true: blocked 5-fold cross-validation on the 2002 groups
   *  (bench/spam/tune.ts --blocked), the split whose figures match the held-out ones, gave
   *  recall 81.0 → 81.8 % at 0.1 % FP, 92.4 → 94.4 % at 1 %, AUC 0.9920 → 0.9924. */
  shape?: boolean;
  /** Words of URL paths and queries ("url:w:remove"); default true: with shape tokens, blocked CV
   *  81.8 → 83.8 % at 0.1 % FP, AUC 0.9924 → 0.9927 (spam's link paths, /remove.html,
   *  /cgi-bin/…, repeat across runs whose hosts change). */
  urlWords?: boolean;
  /** Words of the From display name ("fn:"); default false: no gain in blocked CV. */
  fromWords?: boolean;
}

export const DEFAULT_MAX_TOKENS = 3000;

/** Scripts written without spaces between words: tokenised as overlapping character bigrams. */
const CJK_RUN = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}\p{sc=Thai}]+/gu;
/** A word: a letter, digit or currency sign, then letters, digits and the punctuation that
 *  belongs inside words, URLs and prices (one greedy class: linear). */
const WORD = /[\p{L}\p{N}$€£][\p{L}\p{N}\p{M}$€£'!%.,@:/_&=?#+-]*/gu;
/** Separators inside header values (addresses, Received clauses). */
const HEADER_SPLIT = /[\s<>"',;()[\]]+/u;
/** Separators inside a URL path and query. */
const PATH_SPLIT = /[/?&=#._+%-]+/gu;
const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
/** Second-level labels under which registrations happen one level down (co.uk, com.au …). */
const SLD = new Set(["co", "com", "net", "org", "ac", "gov", "edu", "ne", "or", "go", "gen", "ltd", "plc"]);

const ADDRESS_FIELDS = new Map([
  ["from", "from"],
  ["reply-to", "rt"],
  ["sender", "snd"],
  ["return-path", "rp"],
  ["to", "to"],
  ["cc", "cc"],
]);

/** A message's distinct token hashes, the header fields' first: `hashes[0 … headerCount)` came
 *  from the header fields (headerTokens: sender, recipients, relays, mailer, dates), the rest from
 *  what the message is (subject, links, attachments, shape, text). classify.ts scores the two
 *  parts as two tests, since a header fact (one mailing list, one relay) gives tens of tokens
 *  that always occur together. */
export interface MessageTokens {
  hashes: number[];
  headerCount: number;
}

/** The message's distinct token hashes (two tokens whose hashes collide count as one, so a store
 *  never sees one hash twice in a training), the header fields' first (MessageTokens). */
export function messageTokens(view: MessageView, opts: TokenOptions = {}): MessageTokens {
  const { tokens, headerCount: headerStrings } = collect(view, opts);
  const out = new Set<number>();
  let headerCount = 0;
  let i = 0;
  for (const t of tokens) {
    out.add(hash53(t));
    if (++i === headerStrings) headerCount = out.size;
  }
  return { hashes: [...out], headerCount };
}

/** The message's distinct token hashes, for training (which counts every token alike). */
export function tokenHashes(view: MessageView, opts: TokenOptions = {}): number[] {
  return messageTokens(view, opts).hashes;
}

/** The token strings themselves (for tests and for explaining a verdict). */
export function tokenStrings(view: MessageView, opts: TokenOptions = {}): string[] {
  return [...collect(view, opts).tokens];
}

function collect(view: MessageView, opts: TokenOptions): { tokens: Set<string>; headerCount: number } {
  const max = opts.maxTokens ?? DEFAULT_MAX_TOKENS;
  const out = new Set<string>();
  const add = (t: string): boolean => {
    if (out.size >= max) return false;
    out.add(t);
    return true;
  };
  if (opts.headers ?? true) headerTokens(view, add, opts.fromWords ?? false);
  const headerCount = out.size;
  textTokens(view.subject, "s:", false, add);
  for (const l of view.links) {
    if (l.host === "") continue;
    if (IPV4.test(l.host)) add("url:ip");
    else add(`url:dom:${registrable(l.host)}`);
    if (!add(`url:host:${l.host}`)) break;
    if (opts.urlWords ?? true) {
      const path = l.url.slice(l.url.indexOf(l.host) + l.host.length, 300);
      textTokens(path.replace(PATH_SPLIT, " "), "url:w:", false, add);
    }
  }
  for (const a of view.attachments) {
    add(`att:ct:${a.contentType}`);
    const dot = a.filename.lastIndexOf(".");
    if (dot >= 0) add(`att:ext:${a.filename.slice(dot + 1, dot + 9).toLowerCase()}`);
  }
  if (view.html !== "") add("html:yes");
  if (opts.shape ?? true) shapeTokens(view, add);
  textTokens(view.text, "", opts.bigrams ?? false, add);
  return { tokens: out, headerCount };
}

/** Any character outside ASCII (one class, no quantifier: linear). */
const NON_ASCII = /[^\x00-\x7f]/u;

/** Words (and pairs) of a text, then its CJK bigrams; stops when `add` says the set is full. */
function textTokens(text: string, prefix: string, bigrams: boolean, add: (t: string) => boolean): void {
  const lower = text.toLowerCase();
  if (!NON_ASCII.test(lower)) {
    asciiTextTokens(lower, prefix, bigrams, add);
    return;
  }
  let prev = "";
  for (const m of lower.replace(CJK_RUN, " ").matchAll(WORD)) {
    const w = word(m[0]);
    if (w === "") {
      prev = "";
      continue;
    }
    if (!add(prefix + w)) return;
    if (bigrams && prev !== "" && !add(`bi:${prefix}${prev} ${w}`)) return;
    prev = w.startsWith("skip:") ? "" : w;
  }
  for (const m of lower.matchAll(CJK_RUN)) {
    const run = m[0];
    if (run.length === 1 && !add(prefix + run)) return;
    // Bigrams over UTF-16 code units are bigrams over characters here: these scripts are in
    // the Basic Multilingual Plane but for rare Han extensions, which pair up harmlessly.
    for (let i = 0; i + 1 < run.length; i++) if (!add(prefix + run.slice(i, i + 2))) return;
  }
}

/** textTokens for lower-cased ASCII text (most mail): the same tokens as the WORD regex and
 *  word() give, found by one scan over character codes instead of a match object and two
 *  slices per word, and each distinct word offered to `add` once (a repeat would only be found
 *  in the set again; `add` refuses everything once the set is full, so skipping repeats changes
 *  nothing). On bench:smtp's 4 KB message tokenHashes went from 0.098 to 0.067 ms of CPU. */
function asciiTextTokens(lower: string, prefix: string, bigrams: boolean, add: (t: string) => boolean): void {
  const seen = bigrams ? null : new Set<string>();
  const n = lower.length;
  let prev = "";
  let i = 0;
  while (i < n) {
    if (!isWordStart(lower.charCodeAt(i))) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && isWordChar(lower.charCodeAt(j))) j++;
    let end = j;
    while (end > i && isTrailing(lower.charCodeAt(end - 1))) end--;
    let bangs = false;
    for (let k = end; k < j; k++) if (lower.charCodeAt(k) === 33) bangs = true;
    const len = end - i;
    const w =
      len > 12
        ? word(lower.slice(i, j))
        : len < 3
          ? bangs && len > 0
            ? `${lower.slice(i, end)}!`
            : ""
          : bangs
            ? `${lower.slice(i, end)}!`
            : lower.slice(i, end);
    i = j;
    if (w === "") {
      prev = "";
      continue;
    }
    if (seen === null || !seen.has(w)) {
      seen?.add(w);
      if (!add(prefix + w)) return;
    }
    if (bigrams && prev !== "" && !add(`bi:${prefix}${prev} ${w}`)) return;
    prev = w.startsWith("skip:") ? "" : w;
  }
}

/** WORD's first character, in lower-case ASCII: a letter, a digit or "$". */
function isWordStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 36;
}

/** WORD's other characters, in lower-case ASCII: letters, digits and $'!%.,@:/_&=?#+- */
function isWordChar(c: number): boolean {
  if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) return true;
  switch (c) {
    case 36: // $
    case 39: // '
    case 33: // !
    case 37: // %
    case 46: // .
    case 44: // ,
    case 64: // @
    case 58: // :
    case 47: // /
    case 95: // _
    case 38: // &
    case 61: // =
    case 63: // ?
    case 35: // #
    case 43: // +
    case 45: // -
      return true;
    default:
      return false;
  }
}

/** Sentence punctuation word() drops from a word's end: . , : ; ' ! ? */
function isTrailing(c: number): boolean {
  return c === 46 || c === 44 || c === 58 || c === 59 || c === 39 || c === 33 || c === 63;
}

/** One matched word as a token: trailing sentence punctuation dropped; "" to skip it. */
function word(raw: string): string {
  let end = raw.length;
  while (end > 0 && ".,:;'!?".includes(raw[end - 1] ?? "")) end--;
  const bangs = raw.length - end > 0 && raw.slice(end).includes("!");
  const w = raw.slice(0, end);
  if (w.length < 3) return bangs && w.length > 0 ? `${w}!` : "";
  if (w.length > 12) {
    const at = w.indexOf("@");
    if (at > 0) return `email:${w.slice(at + 1)}`;
    if (w.startsWith("http") || w.startsWith("www.")) return `skip:url ${Math.floor(w.length / 10) * 10}`;
    return `skip:${w[0]} ${Math.floor(w.length / 10) * 10}`;
  }
  return bangs ? `${w}!` : w;
}

function headerTokens(view: MessageView, add: (t: string) => boolean, fromWords: boolean): void {
  let received = 0;
  let toCount = 0;
  let hasMid = false;
  for (const { name, value } of view.headers) {
    if (name.length <= 40) add(`h:${name}`);
    const v = value.length > 2000 ? value.slice(0, 2000).toLowerCase() : value.toLowerCase();
    const field = ADDRESS_FIELDS.get(name);
    if (field !== undefined) {
      for (const part of v.split(HEADER_SPLIT)) {
        const at = part.lastIndexOf("@");
        if (at < 0) continue;
        if (field === "to" || field === "cc") toCount++;
        const domain = part.slice(at + 1);
        add(`${field}:dom:${domain}`);
        add(`${field}:reg:${registrable(domain)}`);
        if (field !== "to" && field !== "cc") add(`${field}:addr:${part}`);
      }
      if (field === "from") {
        const display = v.slice(0, Math.max(0, v.indexOf("<"))).trim();
        add(display === "" ? "from:noname" : "from:named");
        if (fromWords) textTokens(display.slice(0, 200), "fn:", false, add);
      }
      continue;
    }
    switch (name) {
      case "content-type": {
        const semi = v.indexOf(";");
        add(`ct:${(semi < 0 ? v : v.slice(0, semi)).trim()}`);
        const cs = v.indexOf("charset=");
        if (cs >= 0)
          add(
            `charset:${
              v
                .slice(cs + 8, cs + 30)
                .split(HEADER_SPLIT)
                .find((x) => x !== "") ?? ""
            }`,
          );
        break;
      }
      case "x-mailer":
      case "user-agent":
        add(`xm:${v.slice(0, 60).trim()}`);
        add(`xmw:${v.trim().split(/\s/u)[0] ?? ""}`);
        break;
      case "message-id": {
        hasMid = true;
        const at = v.lastIndexOf("@");
        add(
          at < 0
            ? "mid:noat"
            : `mid:${registrable(v.slice(at + 1, v.indexOf(">", at) < 0 ? undefined : v.indexOf(">", at)))}`,
        );
        break;
      }
      case "date": {
        const parts = v.trim().split(/\s+/u);
        add(`date:tz:${parts[parts.length - 1] ?? ""}`);
        break;
      }
      case "received":
        received++;
        if (received <= 5) receivedTokens(v, add);
        break;
      case "precedence":
      case "x-priority":
      case "x-msmail-priority":
      case "importance":
        add(`${name}:${v.trim().slice(0, 20)}`);
        break;
    }
  }
  add(`rcvd:${Math.min(received, 10)}`);
  add(`to:count:${Math.min(toCount, 10)}`);
  if (!hasMid) add("mid:none");
}

/** Hosts (as registrable domains) and IPv4 /8, /16, /24 prefixes named in a Received field. */
function receivedTokens(v: string, add: (t: string) => boolean): void {
  let n = 0;
  for (const part of v.split(HEADER_SPLIT)) {
    if (++n > 40) return;
    if (IPV4.test(part)) {
      const [a, b, c] = part.split(".");
      add(`rip:${a}`);
      add(`rip:${a}.${b}`);
      add(`rip:${a}.${b}.${c}`);
    } else if (part.includes(".") && !part.includes("@") && /^[a-z0-9.-]+$/u.test(part)) {
      add(`rh:${registrable(part)}`);
    }
  }
}

/** The registrable-looking part of a host name: its last two labels, or three under a known
 *  second-level label of a two-letter country (example.co.uk). Simple on purpose: the public
 *  suffix list would be a dependency for a few tokens' precision. */
export function registrable(host: string): string {
  const h = host.endsWith(".") ? host.slice(0, -1) : host;
  const labels = h.split(".");
  const n = labels.length;
  if (n <= 2) return h;
  const tld = labels[n - 1] ?? "";
  const sld = labels[n - 2] ?? "";
  const keep = tld.length === 2 && SLD.has(sld) ? 3 : 2;
  return labels.slice(n - keep).join(".");
}
