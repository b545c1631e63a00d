// The vocabulary's trigram keys (schema v9, schema-search-trigram-keys.ts): a word's trigram is
// kept as a small number, its three code points hashed into TRIGRAM_BUCKETS buckets, not as
// three-letter text. The keys only narrow: a word holding a needle holds all of the needle's
// trigrams and so all of their keys, and the search then decides with strpos() / LIKE on the
// word itself (search-fulltext.ts), so two trigrams sharing a bucket add candidates, never
// change an answer. The same hash is ftw_trigram_keys() in SQL (the migration's, for the words
// stored before); search-trigrams.test.ts holds the two to the same keys.

/** Buckets of the hash (a prime). Few enough that the GIN index's tree stays small and an
 *  insert's keys land on pages already touched; docs/ARCHITECTURE.md (PostgreSQL store) has the
 *  figures for 4,093 / 16,381 / 65,521 and for exact trigrams. */
export const TRIGRAM_BUCKETS = 4093;

/** More trigrams than this add little to the narrowing: an evenly spread subset is asked for,
 *  still a superset of the words containing the needle. */
const MAX_TRIGRAMS = 24;

/** The distinct trigrams of a word, counted in code points as SQL substr() counts them. */
function trigrams(text: string): string[][] {
  const cps = Array.from(text);
  const seen = new Set<string>();
  const out: string[][] = [];
  for (let i = 0; i + 3 <= cps.length; i++) {
    const t = cps[i]! + cps[i + 1]! + cps[i + 2]!;
    if (seen.has(t)) continue;
    seen.add(t);
    out.push([cps[i]!, cps[i + 1]!, cps[i + 2]!]);
  }
  return out;
}

/** One trigram's key: ((c0 · 1031 + c1) · 1031 + c2) mod TRIGRAM_BUCKETS, exact in a double
 *  (code points are below 2^21, so the sum stays below 2^53). */
function keyOf([a, b, c]: string[]): number {
  return ((a!.codePointAt(0)! * 1031 + b!.codePointAt(0)!) * 1031 + c!.codePointAt(0)!) % TRIGRAM_BUCKETS;
}

const distinct = (keys: number[]): number[] => [...new Set(keys)];

/** Every trigram key of a vocabulary word, as a PostgreSQL array literal (one text parameter per
 *  word travels in a text[]: an array parameter cannot hold rows of different lengths). */
export function wordTrigramKeys(word: string): string {
  return `{${distinct(trigrams(word).map(keyOf)).join(",")}}`;
}

/** The trigram keys a word holding the needle must hold, from at most MAX_TRIGRAMS trigrams. */
export function needleTrigramKeys(text: string): number[] {
  const list = trigrams(text);
  if (list.length <= MAX_TRIGRAMS) return distinct(list.map(keyOf));
  const step = (list.length - 1) / (MAX_TRIGRAMS - 1);
  return distinct(Array.from({ length: MAX_TRIGRAMS }, (_, i) => keyOf(list[Math.round(i * step)]!)));
}
