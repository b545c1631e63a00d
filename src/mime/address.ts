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

const SPECIALS = '()<>[]:;@\\,."';

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let space = false;
  let i = 0;
  while (i < s.length) {
    const ch = s[i]!;
    if (ch === " " || ch === "\t" || ch === "\r" || ch === "\n") {
      space = true;
      i++;
    } else if (ch === '"') {
      const { text, end } = readDelimited(s, i, '"');
      out.push({ kind: "quoted", text, raw: s.slice(i, end), space });
      space = false;
      i = end;
    } else if (ch === "(") {
      const { text, end } = readComment(s, i);
      out.push({ kind: "comment", text, raw: s.slice(i, end), space });
      space = true;
      i = end;
    } else if (ch === "[") {
      const { end } = readDelimited(s, i, "]");
      const raw = s.slice(i, end);
      out.push({ kind: "literal", text: raw, raw, space });
      space = false;
      i = end;
    } else if (SPECIALS.includes(ch)) {
      out.push({ kind: "special", text: ch, raw: ch, space });
      space = false;
      i++;
    } else {
      let j = i + 1;
      while (j < s.length && !SPECIALS.includes(s[j]!) && !/[ \t\r\n]/.test(s[j]!)) j++;
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

/** A display name: words joined as written (a single space where there was whitespace). */
function phrase(tokens: Token[]): string | null {
  let out = "";
  for (const t of tokens) {
    if (t.kind === "comment") continue;
    if (out !== "" && t.space) out += " ";
    out += t.text;
  }
  return out === "" ? null : out;
}

/** local@domain from tokens (comments dropped; obsolete CFWS around dots removed). */
function addrSpec(tokens: Token[]): { mailbox: string; host: string } {
  const words = tokens.filter((t) => t.kind !== "comment");
  let at = -1;
  for (let k = words.length - 1; k >= 0; k--) {
    if (isSpecial(words[k], "@")) {
      at = k;
      break;
    }
  }
  const local = (at === -1 ? words : words.slice(0, at)).map((t) => t.raw).join("");
  const domain =
    at === -1
      ? ""
      : words
          .slice(at + 1)
          .map((t) => t.raw)
          .join("");
  return { mailbox: local === "" ? MISSING_MAILBOX : local, host: domain === "" ? MISSING_DOMAIN : domain };
}

/** Parses an address-list header value (From, To, Cc, Bcc, Sender, Reply-To). */
export function parseAddressList(value: string): EnvelopeAddress[] {
  const tokens = tokenize(value);
  const out: EnvelopeAddress[] = [];
  let inGroup = false;
  let i = 0;
  while (i < tokens.length) {
    const start = i;
    while (i < tokens.length && !isStop(tokens[i]!)) i++;
    const stop = tokens[i];
    if (isSpecial(stop, ":")) {
      // RFC 5322 3.4 group: display-name ":" [group-list] ";". A nested ':' is ignored.
      if (!inGroup) {
        out.push({ name: null, mailbox: phrase(tokens.slice(start, i)) ?? "", host: null });
        inGroup = true;
      }
      i++;
    } else if (isSpecial(stop, "<")) {
      let j = i + 1;
      while (j < tokens.length && !isSpecial(tokens[j], ">")) j++;
      let inner = tokens.slice(i + 1, j);
      // RFC 5322 4.4 obs-route "<@a,@b:user@host>": the route is kept apart, it is the ENVELOPE's
      // adl (RFC 3501 7.4.2 "at-domain-list (source route)").
      let adl: string | undefined;
      if (
        isSpecial(
          inner.find((t) => t.kind !== "comment"),
          "@",
        )
      ) {
        const colon = inner.findIndex((t) => isSpecial(t, ":"));
        if (colon !== -1) {
          adl = inner
            .slice(0, colon)
            .filter((t) => t.kind !== "comment")
            .map((t) => t.raw)
            .join("");
          inner = inner.slice(colon + 1);
        }
      }
      const name = phrase(tokens.slice(start, i));
      out.push(adl ? { name, adl, ...addrSpec(inner) } : { name, ...addrSpec(inner) });
      i = j + 1;
      // Skip trailing junk up to the next separator.
      while (i < tokens.length && !isSpecial(tokens[i], ",") && !isSpecial(tokens[i], ";")) i++;
    } else {
      const seg = tokens.slice(start, i);
      if (seg.some((t) => t.kind !== "comment")) {
        // A bare addr-spec; a comment after it serves as the name ("user@host (Joe)"), as Dovecot does.
        const comment = seg.filter((t) => t.kind === "comment").pop();
        out.push({ name: comment && comment.text !== "" ? comment.text : null, ...addrSpec(seg) });
      }
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
