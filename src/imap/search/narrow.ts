// Which messages a SEARCH can match at all, from the store's indexes, so that a search for a word
// in a mailbox of 100,000 messages reads at most the few messages the full-text index cannot
// decide instead of every one (MailStore.matchText). The index names the messages that match and
// those that may; the exact matcher (evaluate.ts) decides the latter, so results are what a scan
// of every message gives (RFC 9051 6.4.4: substring, case-insensitive).
import type { FullTextField } from "../../store/types.js";
import type { SearchKey } from "../wire/search.js";
import type { SetResolver } from "./evaluate.js";

export type TextKey = Extract<SearchKey, { k: "body" | "text" }>;

/** The BODY and TEXT keys of a search, wherever they are in it. */
export function textKeys(key: SearchKey, out: TextKey[] = []): TextKey[] {
  switch (key.k) {
    case "body":
    case "text":
      out.push(key);
      break;
    case "not":
      textKeys(key.key, out);
      break;
    case "or":
      textKeys(key.a, out);
      textKeys(key.b, out);
      break;
    case "and":
      for (const k of key.keys) textKeys(k, out);
      break;
  }
  return out;
}

export const textField = (k: TextKey): FullTextField => (k.k === "body" ? "body" : "text");

/** UIDs outside which `key` cannot match, or null when the indexes do not bound it (NOT x, OR
 *  with an unbounded side, keys on flags or dates alone). */
export function narrowUids(key: SearchKey, sets: SetResolver): Set<number> | null {
  switch (key.k) {
    case "body":
    case "text":
      return sets.textMatch?.(key)?.any ?? null;
    case "header":
      return sets.headerUids?.(key) ?? null;
    case "uid":
    case "seq":
      return sets.uidsOf(key);
    case "none":
      return new Set();
    case "or": {
      const a = narrowUids(key.a, sets);
      const b = a && narrowUids(key.b, sets);
      return a && b ? new Set([...a, ...b]) : null;
    }
    case "and": {
      let out: Set<number> | null = null;
      for (const k of key.keys) {
        const s = narrowUids(k, sets);
        if (!s) continue;
        if (!out) out = s;
        else {
          const both = new Set<number>();
          const [small, big]: [Set<number>, Set<number>] = s.size < out.size ? [s, out] : [out, s];
          for (const u of small) if (big.has(u)) both.add(u);
          out = both;
        }
      }
      return out;
    }
    default:
      return null;
  }
}
