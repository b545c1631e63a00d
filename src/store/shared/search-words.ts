// How both full-text indexes (sqlite/fulltext.ts, whose head comment explains the design, and
// postgres/search-fulltext.ts) cut lower-cased text into words and plan a search for a needle:
// the words must be cut the same way on either store, or a needle found on one would be missed
// on the other.

/** What the `ascii` tokenizer takes for separators: ASCII other than letters and digits. Every
 *  other character (any non-ASCII one) is part of a word. */
const SEPARATORS = /[\0-/:-@[-`{-\x7f]+/;

/** Lower-cased text cut at every run of separators, in order ("" where it starts or ends with one).
 *  The regex stays here, used only by split (no suffix can make a match fail: linear). */
export function splitWords(text: string): string[] {
  return text.split(SEPARATORS);
}

/** The distinct words of lower-cased text, as the ascii tokenizer cuts them. */
export function wordsOf(text: string, out: Set<string> = new Set()): Set<string> {
  for (const w of text.split(SEPARATORS)) if (w !== "") out.add(w);
  return out;
}

/** How a needle is looked for: inside one word, or as words side by side (the first ending a
 *  word, the middle ones whole words, the last beginning a word; "" where the needle starts or
 *  ends with a separator). */
export type NeedlePlan = { within: string } | { first: string; middle: string[]; last: string };

/** The plan for a needle, or null when the index cannot narrow it: a needle of one word shorter
 *  than three characters, or of separators only. */
export function planNeedle(needle: string): NeedlePlan | null {
  const words = needle.toLowerCase().split(SEPARATORS);
  if (words.length === 1) return Array.from(words[0]!).length >= 3 ? { within: words[0]! } : null;
  const plan = { first: words[0]!, middle: words.slice(1, -1), last: words[words.length - 1]! };
  return plan.first === "" && plan.middle.length === 0 && plan.last === "" ? null : plan;
}
