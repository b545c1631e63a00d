// Address lists for IMAP ENVELOPE (RFC 5322 3.4, RFC 3501 7.4.2). Names stay raw: quotes and
// escapes removed, encoded words NOT decoded (the client does that). Groups become a start marker
// {name:null, mailbox:group, host:null} and an end marker {null, null, null}. Never throws:
// unbalanced quotes, comments or brackets run to the end of the value.

import type { EnvelopeAddress } from "./types.js";

/** Placeholders for a missing local part or domain. A null host would read as a group marker in
 *  IMAP, so (like Dovecot) a syntactically broken address gets these instead. */
export const MISSING_MAILBOX = "MISSING_MAILBOX";
export const MISSING_DOMAIN = "MISSING_DOMAIN";

type Kind = "atom" | "quoted" | "literal" | "special" | "comment";

interface Token {
  kind: Kind;
  text: string; // unquoted text (quoted-string, comment) or the token itself
  raw: string; // as written (quoted-string with its quotes)
  space: boolean; // whitespace or a comment came before it
}

/** ASCII classes for the tokenizer: RFC 5322 3.2.3 specials ()<>[]:;@\,." and the white space
 *  that separates tokens. A table, not `SPECIALS.includes(ch)` and a regex per character: the
 *  spam filter parses From and To of every message (rules/header-anomalies.ts), and the string
 *  tests were among its recompiled functions (docs/ARCHITECTURE.md, "Spam classifier", Cost). */
const SPECIAL = 1;
const WSP = 2;
const CLASS = new Uint8Array(128);
for (const ch of '()<>[]:;@\\,."') CLASS[ch.charCodeAt(0)] = SPECIAL;
for (const ch of " \t\r\n") CLASS[ch.charCodeAt(0)] = WSP;
const QUOTE = 0x22;
const OPEN_PAREN = 0x28;
const OPEN_BRACKET = 0x5b;

function classOf(c: number): number {
  return c < 128 ? (CLASS[c] ?? 0) : 0;
}

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  const n = s.length;
  let space = false;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    const k = classOf(c);
    if (k === WSP) {
      space = true;
      i++;
    } else if (c === QUOTE) {
      const { text, end } = readDelimited(s, i, '"');
      out.push({ kind: "quoted", text, raw: s.slice(i, end), space });
      space = false;
      i = end;
    } else if (c === OPEN_PAREN) {
      const { text, end } = readComment(s, i);
      out.push({ kind: "comment", text, raw: s.slice(i, end), space });
      space = true;
      i = end;
    } else if (c === OPEN_BRACKET) {
      const { end } = readDelimited(s, i, "]");
      const raw = s.slice(i, end);
      out.push({ kind: "literal", text: raw, raw, space });
      space = false;
      i = end;
    } else if (k === SPECIAL) {
      const ch = s.slice(i, i + 1);
      out.push({ kind: "special", text: ch, raw: ch, space });
      space = false;
      i++;
    } else {
      let j = i + 1;
      while (j < n && classOf(s.charCodeAt(j)) === 0) j++;
      const raw = s.slice(i, j);
      out.push({ kind: "atom", text: raw, raw, space });
      space = false;
      i = j;
    }
  }
  return out;
}

/** Reads from s[i] (an opening '"' or '[') to the closing char; backslash escapes removed in text.
 *  The text is sliced between escapes, not built a character at a time: a header of megabytes of
 *  one unclosed quote or comment made millions of one-character string concatenations, whose
 *  garbage collection grew faster than the header (issue 18). */
function readDelimited(s: string, i: number, close: string): { text: string; end: number } {
  const pieces: string[] = [];
  let from = i + 1;
  let j = i + 1;
  while (j < s.length) {
    const ch = s[j]!;
    if (ch === close) {
      pieces.push(s.slice(from, j));
      return { text: pieces.join(""), end: j + 1 };
    }
    if (ch === "\\" && j + 1 < s.length) {
      pieces.push(s.slice(from, j));
      from = j + 1; // the escaped character starts the next piece
      j += 2;
      continue;
    }
    j++;
  }
  pieces.push(s.slice(from, j));
  return { text: pieces.join(""), end: j };
}

/** A comment from s[i] === "(": its text without the outer parentheses, nested ones kept,
 *  backslash escapes removed; sliced like readDelimited. */
function readComment(s: string, i: number): { text: string; end: number } {
  const pieces: string[] = [];
  let depth = 0;
  let from = i + 1;
  let j = i;
  while (j < s.length) {
    const ch = s[j]!;
    if (ch === "\\" && j + 1 < s.length) {
      pieces.push(s.slice(from, j));
      from = j + 1;
      j += 2;
      continue;
    }
    if (ch === "(") {
      depth++;
    } else if (ch === ")") {
      depth--;
      if (depth === 0) {
        pieces.push(s.slice(from, j));
        return { text: pieces.join(""), end: j + 1 };
      }
    }
    j++;
  }
  pieces.push(s.slice(from, j));
  return { text: pieces.join(""), end: j };
}

function isSpecial(t: Token | undefined, ch: string): boolean {
  return t !== undefined && t.kind === "special" && t.text === ch;
}

function isStop(t: Token): boolean {
  return t.kind === "special" && (t.text === "<" || t.text === ":" || t.text === "," || t.text === ";");
}

// The functions below take a range [from, to) of the token list instead of a slice, and join
// raw texts by concatenation instead of filter/map/join: no array per address.

/** A display name from tokens[from, to): words joined as written (a single space where there
 *  was whitespace). */
function phrase(tokens: Token[], from: number, to: number): string | null {
  let out = "";
  for (let k = from; k < to; k++) {
    const t = tokens[k]!;
    if (t.kind === "comment") continue;
    if (out !== "" && t.space) out += " ";
    out += t.text;
  }
  return out === "" ? null : out;
}

/** The raw texts of tokens[from, to) but comments, joined. */
function rawText(tokens: Token[], from: number, to: number): string {
  let out = "";
  for (let k = from; k < to; k++) {
    const t = tokens[k]!;
    if (t.kind !== "comment") out += t.raw;
  }
  return out;
}

/** The address local@domain in tokens[from, to) (comments dropped; obsolete CFWS around dots
 *  removed), named `name`, with the route `adl` if one was given. */
function address(
  name: string | null,
  tokens: Token[],
  from: number,
  to: number,
  adl: string | undefined,
): EnvelopeAddress {
  let at = -1;
  for (let k = to - 1; k >= from; k--) {
    if (isSpecial(tokens[k], "@")) {
      at = k;
      break;
    }
  }
  const local = rawText(tokens, from, at === -1 ? to : at);
  const domain = at === -1 ? "" : rawText(tokens, at + 1, to);
  const mailbox = local === "" ? MISSING_MAILBOX : local;
  const host = domain === "" ? MISSING_DOMAIN : domain;
  // Two literals, so every address has one of two shapes, with `adl` only where there is a route.
  return adl ? { name, adl, mailbox, host } : { name, mailbox, host };
}

/** Parses an address-list header value (From, To, Cc, Bcc, Sender, Reply-To). */
export function parseAddressList(value: string): EnvelopeAddress[] {
  const tokens = tokenize(value);
  const n = tokens.length;
  const out: EnvelopeAddress[] = [];
  let inGroup = false;
  let i = 0;
  while (i < n) {
    const start = i;
    while (i < n && !isStop(tokens[i]!)) i++;
    const stop = tokens[i];
    if (isSpecial(stop, ":")) {
      // RFC 5322 3.4 group: display-name ":" [group-list] ";". A nested ':' is ignored.
      if (!inGroup) {
        out.push({ name: null, mailbox: phrase(tokens, start, i) ?? "", host: null });
        inGroup = true;
      }
      i++;
    } else if (isSpecial(stop, "<")) {
      let j = i + 1;
      while (j < n && !isSpecial(tokens[j], ">")) j++;
      let from = i + 1;
      // RFC 5322 4.4 obs-route "<@a,@b:user@host>": the route is kept apart, it is the ENVELOPE's
      // adl (RFC 3501 7.4.2 "at-domain-list (source route)").
      let adl: string | undefined;
      let first = from;
      while (first < j && tokens[first]!.kind === "comment") first++;
      if (first < j && isSpecial(tokens[first], "@")) {
        let colon = from;
        while (colon < j && !isSpecial(tokens[colon], ":")) colon++;
        if (colon < j) {
          adl = rawText(tokens, from, colon);
          from = colon + 1;
        }
      }
      out.push(address(phrase(tokens, start, i), tokens, from, j, adl));
      i = j + 1;
      // Skip trailing junk up to the next separator.
      while (i < n && !isSpecial(tokens[i], ",") && !isSpecial(tokens[i], ";")) i++;
    } else {
      // A bare addr-spec; a comment after it serves as the name ("user@host (Joe)"), as Dovecot does.
      let words = false;
      let comment: Token | undefined;
      for (let k = start; k < i; k++) {
        const t = tokens[k]!;
        if (t.kind === "comment") comment = t;
        else words = true;
      }
      if (words)
        out.push(address(comment && comment.text !== "" ? comment.text : null, tokens, start, i, undefined));
      if (isSpecial(stop, ";") && inGroup) {
        out.push({ name: null, mailbox: null, host: null });
        inGroup = false;
      }
      i++;
    }
  }
  if (inGroup) out.push({ name: null, mailbox: null, host: null });
  return out;
}

/** An address-list header value in one normal form, "Name <mailbox@host>, group: a@b;", for
 *  substring searches (IMAP SEARCH FROM/TO/CC/BCC, RFC 9051 6.4.4): Dovecot matches against the
 *  parsed addresses, so "user@host" finds "<user (comment)@ (comment) host>" and a route or
 *  comment spacing does not hide an address. Searches match this as well as the raw value. */
export function addressSearchForm(value: string): string {
  const out: string[] = [];
  for (const a of parseAddressList(value)) {
    if (a.host === null) {
      // Group start (mailbox = the group's name) or end (all NIL), RFC 3501 7.4.2.
      out.push(a.mailbox === null ? ";" : `${a.mailbox}:`);
      continue;
    }
    const mailbox = a.mailbox === MISSING_MAILBOX ? "" : (a.mailbox ?? "");
    const host = a.host === MISSING_DOMAIN ? "" : a.host;
    const spec = host === "" ? mailbox : `${mailbox}@${host}`;
    out.push(a.name ? `${a.name} <${spec}>` : spec);
  }
  return out.join(" ");
}
