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
import type { MessageView } from "../types.js";
import { hash53, hashFinish, hashSeed } from "./hash.js";
import { shapeTokens } from "./shape.js";

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

/** Where tokens go: hashed as they come (messageTokens) or kept as strings (tokenStrings). A
 *  word of a text arrives as a range of that text with its hash already computed by the scan
 *  (`word`), so the hashing sink never builds its string. Both refuse everything once `max`
 *  distinct tokens are held. */
interface Sink {
  /** Adds a token; false once the set is full. */
  add: (t: string) => boolean;
  /** Adds prefix + text[start, end) + "!" if `bang` (lower-cased ASCII text), whose hash53 is
   *  `hash`; false once full. */
  word(prefix: string, hash: number, text: string, start: number, end: number, bang: boolean): boolean;
  readonly size: number;
}

/** Distinct hashes: two tokens whose hashes collide count as one (also towards `max`: with
 *  53-bit hashes that differs from counting strings only on a collision). The set is an
 *  open-addressing table over the hash's low 32 bits, reused from message to message (a
 *  generation number marks its live slots), since a Set of 53-bit numbers boxes each one. */
class HashSink implements Sink {
  readonly hashes: number[] = [];
  private readonly table: HashTable;
  /** Past this `max` (never by default) a plain Set, not a table of twice its size. */
  private readonly big: Set<number> | null;
  constructor(private readonly max: number) {
    this.big = max > MAX_TABLE_TOKENS ? new Set() : null;
    this.table = hashTable(Math.min(max, MAX_TABLE_TOKENS));
    this.table.generation++;
    if (this.table.generation === 0xffffffff) {
      this.table.stamps.fill(0);
      this.table.generation = 1;
    }
  }
  get size(): number {
    return this.hashes.length;
  }
  add = (t: string): boolean => this.put(hash53(t));
  word(_prefix: string, hash: number, _text: string, _start: number, _end: number, _bang: boolean): boolean {
    return this.put(hash);
  }
  private put(h: number): boolean {
    if (this.hashes.length >= this.max) return false;
    if (this.big !== null) {
      if (!this.big.has(h)) {
        this.big.add(h);
        this.hashes.push(h);
      }
      return true;
    }
    const { keys, stamps, mask, generation } = this.table;
    // Linear probing; the table has at least twice `max` slots, so a free one is always found.
    for (let i = h & mask; ; i = (i + 1) & mask) {
      if (stamps[i] !== generation) {
        stamps[i] = generation;
        keys[i] = h;
        this.hashes.push(h);
        return true;
      }
      if (keys[i] === h) return true;
    }
  }
}

const MAX_TABLE_TOKENS = 100_000;

interface HashTable {
  keys: Float64Array;
  stamps: Uint32Array;
  mask: number;
  generation: number;
}

/** The last table made, reused while `max` fits it (tokenising is synchronous: one at a time). */
let lastTable: HashTable | undefined;

function hashTable(max: number): HashTable {
  if (lastTable !== undefined && lastTable.mask + 1 >= 2 * max) return lastTable;
  let size = 64;
  while (size < 2 * max) size *= 2;
  lastTable = { keys: new Float64Array(size), stamps: new Uint32Array(size), mask: size - 1, generation: 0 };
  return lastTable;
}

class StringSink implements Sink {
  readonly set = new Set<string>();
  constructor(private readonly max: number) {}
  get size(): number {
    return this.set.size;
  }
  add = (t: string): boolean => {
    if (this.set.size >= this.max) return false;
    this.set.add(t);
    return true;
  };
  word(prefix: string, _hash: number, text: string, start: number, end: number, bang: boolean): boolean {
    return this.add(`${prefix}${text.slice(start, end).toLowerCase()}${bang ? "!" : ""}`);
  }
}

/** The message's distinct token hashes (two tokens whose hashes collide count as one, so a store
 *  never sees one hash twice in a training), the header fields' first (MessageTokens). */
export function messageTokens(view: MessageView, opts: TokenOptions = {}): MessageTokens {
  const sink = new HashSink(opts.maxTokens ?? DEFAULT_MAX_TOKENS);
  const headerCount = collect(view, opts, sink);
  return { hashes: sink.hashes, headerCount };
}

/** The message's distinct token hashes, for training (which counts every token alike). */
export function tokenHashes(view: MessageView, opts: TokenOptions = {}): number[] {
  return messageTokens(view, opts).hashes;
}

/** The token strings themselves (for tests and for explaining a verdict). */
export function tokenStrings(view: MessageView, opts: TokenOptions = {}): string[] {
  const sink = new StringSink(opts.maxTokens ?? DEFAULT_MAX_TOKENS);
  collect(view, opts, sink);
  return [...sink.set];
}

/** Offers the message's tokens to `sink`; returns how many it held after the header fields'. */
function collect(view: MessageView, opts: TokenOptions, sink: Sink): number {
  const add = sink.add;
  if (opts.headers ?? true) headerTokens(view, sink, opts.fromWords ?? false);
  const headerCount = sink.size;
  textTokens(view.subject, "s:", false, sink);
  for (const l of view.links) {
    if (l.host === "") continue;
    if (IPV4.test(l.host)) add("url:ip");
    else add(`url:dom:${registrable(l.host)}`);
    if (!add(`url:host:${l.host}`)) break;
    if (opts.urlWords ?? true) {
      const path = l.url.slice(l.url.indexOf(l.host) + l.host.length, 300);
      textTokens(path.replace(PATH_SPLIT, " "), "url:w:", false, sink);
    }
  }
  for (const a of view.attachments) {
    add(`att:ct:${a.contentType}`);
    const dot = a.filename.lastIndexOf(".");
    if (dot >= 0) add(`att:ext:${a.filename.slice(dot + 1, dot + 9).toLowerCase()}`);
  }
  if (view.html !== "") add("html:yes");
  if (opts.shape ?? true) shapeTokens(view, add);
  textTokens(view.text, "", opts.bigrams ?? false, sink);
  return headerCount;
}

/** Any character outside ASCII (one class, no quantifier: linear). */
const NON_ASCII = /[^\x00-\x7f]/u;

/** Words (and pairs) of a text, then its CJK bigrams; stops when the sink is full. The text is
 *  lower-cased first (natively) even when the scan could fold case itself: toLowerCase returns a
 *  flat sequential string, and scanning the view's strings as they come (sliced, two-byte) made
 *  the scan's compiled code generic once it had seen them — on bench:smtp's message after the
 *  corpus had been tokenised (as the server after training), 81 µs against 64 for the old
 *  tokeniser (bench/spam/tokens-cost.ts --warm), 58 with this. */
function textTokens(text: string, prefix: string, bigrams: boolean, sink: Sink): void {
  const lower = text.toLowerCase();
  if (!NON_ASCII.test(lower)) {
    if (bigrams) asciiPairTokens(lower, prefix, sink.add);
    else scanTextTokens(lower, prefix, sink);
    return;
  }
  // Text beyond ASCII takes the same scan when each UTF-16 unit is a character (no surrogate
  // pairs, so the regexes' code points and the scan's units agree): the regex path below built
  // a match, a slice and a concatenation per word, and it was most of the tokeniser's tail — of
  // the held-out messages that cost the most to tokenise, 25 of the top 30 had non-ASCII text
  // (docs/ARCHITECTURE.md, "Spam classifier", Cost).
  if (!bigrams && !SURROGATE.test(lower)) {
    scanTextTokens(lower, prefix, sink);
    return;
  }
  const add = sink.add;
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

/** textTokens without pairs, on lower-cased text whose UTF-16 units are each a character: the
 *  same tokens as the WORD regex and word() give on the text with its CJK runs blanked, then
 *  CJK_RUN's bigrams, found by one scan over character codes that also hashes each word (hash.ts
 *  hashSeed/hashFinish: the lanes run over the word's characters as they are read and are kept
 *  as of its last character that is not trailing punctuation, the word's end once word() drops
 *  that), with no string built but for the rare word over 12 characters. A repeat is offered
 *  again and found in the set (`add` refuses everything once the set is full, so that changes
 *  nothing). On bench:smtp's 4 KB message this and HashSink took messageTokens from 62 to 50 µs
 *  of CPU, hashing in the scan (instead of a second pass per word) 56 → 46 µs (see
 *  docs/ARCHITECTURE.md "Spam filter cost"). */
function scanTextTokens(text: string, prefix: string, sink: Sink): void {
  const [s1, s2] = hashSeed(prefix);
  const n = text.length;
  let cjk = false;
  let i = 0;
  while (i < n) {
    const c0 = text.charCodeAt(i);
    const k0 = charClass(c0);
    if ((k0 & START) === 0) {
      if ((k0 & CJK) !== 0) cjk = true;
      i++;
      continue;
    }
    let h1 = Math.imul(s1 ^ c0, 2654435761);
    let h2 = Math.imul(s2 ^ c0, 1597334677);
    // The lanes and the end as of the last character that is not trailing punctuation (a word
    // starts with a letter, a digit or "$", never with trailing punctuation).
    let e1 = h1;
    let e2 = h2;
    let end = i + 1;
    let bangs = false;
    let j = i + 1;
    for (; j < n; j++) {
      const c = text.charCodeAt(j);
      const k = charClass(c);
      if ((k & INSIDE) === 0) break;
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
      if ((k & TRAILING) === 0) {
        end = j + 1;
        e1 = h1;
        e2 = h2;
        bangs = false;
      } else if (c === 33) bangs = true;
    }
    const len = end - i;
    const start = i;
    i = j;
    if (len > 12) {
      if (!sink.add(prefix + word(text.slice(start, j).toLowerCase()))) return;
    } else if (len >= 3 || bangs) {
      if (!sink.word(prefix, hashFinish(e1, e2, bangs), text, start, end, bangs)) return;
    }
  }
  if (cjk) cjkBigrams(text, prefix, s1, s2, sink);
}

/** CJK_RUN's runs of `text` (each UTF-16 unit a character) as overlapping character bigrams, a
 *  run of one character as itself, hashed in the scan like scanTextTokens' words. */
function cjkBigrams(text: string, prefix: string, s1: number, s2: number, sink: Sink): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    if ((charClass(text.charCodeAt(i)) & CJK) === 0) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && (charClass(text.charCodeAt(j)) & CJK) !== 0) j++;
    const c = text.charCodeAt(i);
    if (j - i === 1) {
      const h = hashFinish(Math.imul(s1 ^ c, 2654435761), Math.imul(s2 ^ c, 1597334677), false);
      if (!sink.word(prefix, h, text, i, j, false)) return;
    }
    for (let k = i; k + 1 < j; k++) {
      const a = text.charCodeAt(k);
      const b = text.charCodeAt(k + 1);
      const h1 = Math.imul(Math.imul(s1 ^ a, 2654435761) ^ b, 2654435761);
      const h2 = Math.imul(Math.imul(s2 ^ a, 1597334677) ^ b, 1597334677);
      if (!sink.word(prefix, hashFinish(h1, h2, false), text, k, k + 2, false)) return;
    }
    i = j;
  }
}

/** scanTextTokens with adjacent word pairs ("bi:"), on lower-cased ASCII text, as strings. */
function asciiPairTokens(lower: string, prefix: string, add: (t: string) => boolean): void {
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
    if (!add(prefix + w)) return;
    if (prev !== "" && !add(`bi:${prefix}${prev} ${w}`)) return;
    prev = w.startsWith("skip:") ? "" : w;
  }
}

/** Character classes for the scans: WORD's first character (a letter, a digit, "$", "€" or "£"),
 *  its other characters (those, marks and $'!%.,@:/_&=?#+-), the sentence punctuation word()
 *  drops from a word's end (. , : ; ' ! ?), and CJK_RUN's characters (blanked before WORD, so
 *  never in a word). ASCII's from a table; the others' from the same regexes, tested once per
 *  character and kept (KNOWN marks a unit looked at). One lookup per character either way. */
const START = 1;
const INSIDE = 2;
const TRAILING = 4;
const CJK = 8;
const KNOWN = 16;
const ASCII_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const alnum = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
  if (alnum || c === 36) ASCII_CLASS[c] = START | INSIDE;
  if ("$'!%.,@:/_&=?#+-".includes(String.fromCharCode(c))) ASCII_CLASS[c] = (ASCII_CLASS[c] ?? 0) | INSIDE;
  if (".,:;'!?".includes(String.fromCharCode(c))) ASCII_CLASS[c] = (ASCII_CLASS[c] ?? 0) | TRAILING;
}
const WIDE_CLASS = new Uint8Array(0x10000);
const WORD_START_CHAR = /^[\p{L}\p{N}$€£]$/u;
const WORD_CHAR = /^[\p{L}\p{N}\p{M}$€£'!%.,@:/_&=?#+-]$/u;
const CJK_CHAR = /^[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}\p{sc=Thai}]$/u;
/** A UTF-16 surrogate, half of a character past the Basic Multilingual Plane (no u flag: every
 *  unit, paired or not). */
const SURROGATE = /[\ud800-\udfff]/;

function charClass(c: number): number {
  if (c < 128) return ASCII_CLASS[c] ?? 0;
  const k = WIDE_CLASS[c] ?? 0;
  return k !== 0 ? k : wideClass(c);
}

function wideClass(c: number): number {
  const ch = String.fromCharCode(c);
  const k = CJK_CHAR.test(ch)
    ? KNOWN | CJK
    : KNOWN | (WORD_START_CHAR.test(ch) ? START : 0) | (WORD_CHAR.test(ch) ? INSIDE : 0);
  WIDE_CLASS[c] = k;
  return k;
}

function isWordStart(c: number): boolean {
  return c < 128 && ((ASCII_CLASS[c] ?? 0) & START) !== 0;
}

function isWordChar(c: number): boolean {
  return c < 128 && ((ASCII_CLASS[c] ?? 0) & INSIDE) !== 0;
}

function isTrailing(c: number): boolean {
  return c < 128 && ((ASCII_CLASS[c] ?? 0) & TRAILING) !== 0;
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

function headerTokens(view: MessageView, sink: Sink, fromWords: boolean): void {
  const add = sink.add;
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
        if (fromWords) textTokens(display.slice(0, 200), "fn:", false, sink);
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
