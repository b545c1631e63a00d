// Flags as stored: the five system flags of RFC 3501 2.3.2 / RFC 9051 2.3.2 as a bit mask (so
// "unseen" is a cheap count), keywords as one space-separated string (IMAP atoms hold no space).
// Flag names are matched case-insensitively; a keyword keeps the spelling it was first set with.
// \Recent is a session flag (RFC 3501) and is never stored. Used by both stores (sqlite/, postgres/).
import { StoreError } from "../errors.js";

const SYSTEM: readonly (readonly [string, number])[] = [
  ["\\Seen", 1],
  ["\\Answered", 2],
  ["\\Flagged", 4],
  ["\\Deleted", 8],
  ["\\Draft", 16],
];
const bitByLower = new Map(SYSTEM.map(([name, bit]) => [name.toLowerCase(), bit]));
export const SEEN_BIT = 1;
export const DELETED_BIT = 8;
/** The bit of each stored system flag. */
export const SYSTEM_FLAG_BITS: readonly number[] = SYSTEM.map(([, bit]) => bit);

export interface StoredFlags {
  bits: number;
  keywords: string[];
}

/** Validates and splits flags. Unknown "\X" flags and malformed keywords are StoreError("invalid"). */
export function parseFlags(flags: readonly string[]): StoredFlags {
  let bits = 0;
  const keywords: string[] = [];
  const seen = new Set<string>();
  for (const f of flags) {
    const lower = f.toLowerCase();
    if (f.startsWith("\\")) {
      if (lower === "\\recent") continue;
      const bit = bitByLower.get(lower);
      if (bit === undefined) throw new StoreError("invalid", `unknown system flag ${JSON.stringify(f)}`);
      bits |= bit;
      continue;
    }
    // RFC 3501 flag-keyword = atom: no space, control, "(", ")", "{", "%", "*", '"', "\", "]".
    if (f === "" || /[\x00-\x20\x7f(){%*"\\\]]/.test(f)) {
      throw new StoreError("invalid", `invalid keyword ${JSON.stringify(f)}`);
    }
    if (!seen.has(lower)) {
      seen.add(lower);
      keywords.push(f);
    }
  }
  return { bits, keywords };
}

export function splitKeywords(stored: string): string[] {
  return stored === "" ? [] : stored.split(" ");
}

export function joinKeywords(keywords: readonly string[]): string {
  return keywords.join(" ");
}

/** The flags list of MessageMeta: system flags in a fixed order, then keywords. */
export function flagList(bits: number, keywords: string): string[] {
  const out: string[] = [];
  for (const [name, bit] of SYSTEM) if (bits & bit) out.push(name);
  if (keywords !== "") for (const k of keywords.split(" ")) out.push(k);
  return out;
}

/** Applies an add/remove/replace update; returns the new stored form. */
export function applyFlags(
  current: StoredFlags,
  mode: "add" | "remove" | "replace",
  change: StoredFlags,
): StoredFlags {
  if (mode === "replace") return { bits: change.bits, keywords: [...change.keywords] };
  if (mode === "add") {
    const have = new Set(current.keywords.map((k) => k.toLowerCase()));
    const keywords = [...current.keywords];
    for (const k of change.keywords) if (!have.has(k.toLowerCase())) keywords.push(k);
    return { bits: current.bits | change.bits, keywords };
  }
  const drop = new Set(change.keywords.map((k) => k.toLowerCase()));
  return {
    bits: current.bits & ~change.bits,
    keywords: current.keywords.filter((k) => !drop.has(k.toLowerCase())),
  };
}

export function sameFlags(a: StoredFlags, b: StoredFlags): boolean {
  if (a.bits !== b.bits || a.keywords.length !== b.keywords.length) return false;
  const key = (k: string[]) =>
    k
      .map((x) => x.toLowerCase())
      .sort()
      .join(" ");
  return key(a.keywords) === key(b.keywords);
}
