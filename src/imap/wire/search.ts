// SEARCH criteria (RFC 9051 6.4.4, RFC 3501 6.4.4 for the rev1 keys, RFC 7162 3.1.5 MODSEQ,
// RFC 8474 6 EMAILID/THREADID, RFC 8514 5 SAVED*)
// and the ESEARCH RETURN options (RFC 4731, RFC 5182 SAVE).
import { type Cursor, ParseError } from "./cursor.js";
import { parseSequenceSet, type SequenceSet } from "./sequence.js";

export type SearchKey =
  | { k: "all" }
  | { k: "none" }
  | { k: "flag"; flag: string; set: boolean } // set=false: the flag must be absent
  | { k: "header"; field: string; value: string } // field upper-case
  | { k: "body"; value: string }
  | { k: "text"; value: string }
  | { k: "recent"; set: boolean } // RECENT (set) and OLD (not set): rev1 only
  | { k: "emailid" | "threadid"; id: string }
  | { k: "date"; which: "internal" | "sent" | "saved"; op: "before" | "on" | "since"; date: Date }
  | { k: "size"; op: "larger" | "smaller"; n: number }
  | { k: "uid"; set: SequenceSet }
  | { k: "seq"; set: SequenceSet }
  | { k: "modseq"; n: number }
  | { k: "not"; key: SearchKey }
  | { k: "or"; a: SearchKey; b: SearchKey }
  | { k: "and"; keys: SearchKey[] };

export type ReturnOption = "MIN" | "MAX" | "ALL" | "COUNT" | "SAVE";

export interface SearchArgs {
  /** null: a plain SEARCH (untagged "* SEARCH"); otherwise ESEARCH RETURN options. */
  returns: ReturnOption[] | null;
  charset: string | null;
  key: SearchKey;
}

const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ["\\Answered", true],
  DELETED: ["\\Deleted", true],
  DRAFT: ["\\Draft", true],
  FLAGGED: ["\\Flagged", true],
  SEEN: ["\\Seen", true],
  UNANSWERED: ["\\Answered", false],
  UNDELETED: ["\\Deleted", false],
  UNDRAFT: ["\\Draft", false],
  UNFLAGGED: ["\\Flagged", false],
  UNSEEN: ["\\Seen", false],
};

const DATE_KEYS: Record<string, ["internal" | "sent" | "saved", "before" | "on" | "since"]> = {
  BEFORE: ["internal", "before"],
  ON: ["internal", "on"],
  SINCE: ["internal", "since"],
  SENTBEFORE: ["sent", "before"],
  SENTON: ["sent", "on"],
  SENTSINCE: ["sent", "since"],
  SAVEDBEFORE: ["saved", "before"],
  SAVEDON: ["saved", "on"],
  SAVEDSINCE: ["saved", "since"],
};

const RETURN_OPTIONS = new Set(["MIN", "MAX", "ALL", "COUNT", "SAVE"]);

export function parseSearchArgs(c: Cursor): SearchArgs {
  let returns: ReturnOption[] | null = null;
  let charset: string | null = null;
  const probe = c.clone();
  if (/^RETURN$/i.test(safeWord(probe))) {
    c.word();
    c.sp();
    returns = c.list((x) => {
      const w = x.word();
      if (!RETURN_OPTIONS.has(w)) throw new ParseError(`Unknown RETURN option ${w}`);
      return w as ReturnOption;
    });
    if (returns.length === 0) returns = ["ALL"]; // RFC 4731 3.1: () means ALL
    c.sp();
  }
  const probe2 = c.clone();
  if (/^CHARSET$/i.test(safeWord(probe2))) {
    c.word();
    c.sp();
    charset = c.astring();
    c.sp();
  }
  const keys: SearchKey[] = [];
  for (;;) {
    keys.push(parseKey(c));
    if (keys.length > 1000) throw new ParseError("Too many search keys");
    if (c.atEnd()) break;
    c.sp();
  }
  return { returns, charset, key: keys.length === 1 ? keys[0]! : { k: "and", keys } };
}

function safeWord(c: Cursor): string {
  try {
    return c.word();
  } catch {
    return "";
  }
}

export function parseKey(c: Cursor): SearchKey {
  const p = c.peek();
  if (p === 0x28) {
    c.char("(");
    c.enter();
    const keys: SearchKey[] = [];
    for (;;) {
      keys.push(parseKey(c));
      if (c.maybeChar(")")) break;
      c.sp();
    }
    c.depth--;
    return keys.length === 1 ? keys[0]! : { k: "and", keys };
  }
  if ((p >= 0x30 && p <= 0x39) || p === 0x2a || p === 0x24) return { k: "seq", set: parseSequenceSet(c) };
  const w = c.word();
  const flag = FLAG_KEYS[w];
  if (flag) return { k: "flag", flag: flag[0], set: flag[1] };
  const date = DATE_KEYS[w];
  if (date) {
    c.sp();
    return { k: "date", which: date[0], op: date[1], date: c.date() };
  }
  switch (w) {
    case "ALL":
    case "SAVEDATESUPPORTED": // RFC 8514 5.1: every mailbox here keeps save dates
      return { k: "all" };
    case "OLD":
      return { k: "recent", set: false };
    case "NEW": // RFC 3501 6.4.4: "equivalent to (RECENT UNSEEN)"
      return {
        k: "and",
        keys: [
          { k: "recent", set: true },
          { k: "flag", flag: "\\Seen", set: false },
        ],
      };
    case "RECENT":
      return { k: "recent", set: true };
    case "EMAILID":
    case "THREADID":
      c.sp();
      return { k: w === "EMAILID" ? "emailid" : "threadid", id: c.atom() };
    case "KEYWORD":
    case "UNKEYWORD": {
      c.sp();
      return { k: "flag", flag: c.atom(), set: w === "KEYWORD" };
    }
    case "BCC":
    case "CC":
    case "FROM":
    case "SUBJECT":
    case "TO":
      c.sp();
      return { k: "header", field: w, value: c.astring() };
    case "HEADER": {
      c.sp();
      const field = c.astring().toUpperCase();
      c.sp();
      return { k: "header", field, value: c.astring() };
    }
    case "BODY":
    case "TEXT": {
      c.sp();
      const value = c.astring();
      return w === "BODY" ? { k: "body", value } : { k: "text", value };
    }
    case "LARGER":
    case "SMALLER":
      c.sp();
      return { k: "size", op: w === "LARGER" ? "larger" : "smaller", n: c.number() };
    case "UID":
      c.sp();
      return { k: "uid", set: parseSequenceSet(c) };
    case "NOT":
      c.sp();
      c.enter();
      try {
        return { k: "not", key: parseKey(c) };
      } finally {
        c.depth--;
      }
    case "OR": {
      c.sp();
      c.enter();
      try {
        const a = parseKey(c);
        c.sp();
        const b = parseKey(c);
        return { k: "or", a, b };
      } finally {
        c.depth--;
      }
    }
    case "MODSEQ": {
      c.sp();
      // RFC 7162 3.1.5: optional entry name and type before the number; they do not change the result.
      if (c.peek() === 0x22) {
        c.string();
        c.sp();
        c.word();
        c.sp();
      }
      return { k: "modseq", n: c.number() };
    }
    default:
      throw new ParseError(`Unknown search key ${w}`);
  }
}
