// The token-count read's two halves outside SQL (spam.ts tokenCounts): the hashes as the JSON
// list the statement reads, and the statement's one text result parsed into the counts.
//
// Why not rows and hashList: a message's lookup is up to 3,000 hashes, and as one raw row per
// found token (an array and a boxed 53-bit number each) plus hashList's Set, spread and
// comparator sort it allocated ~120 KB a message on the held-out corpus, half of everything the
// filter allocated; each 16 MB of it is a young-generation collection, and those collections
// were what put a held-out message's CPU time in the top 1 % (docs/ARCHITECTURE.md, the spam
// classifier's "Cost."). Here the hashes are checked and sorted in a Float64Array (numeric sort
// without a comparator) and SQLite hands back one string, "hash spam ham hash spam ham …".
import { invalid, SPAM_MAX_HASHES } from "../shared/spam.js";
import type { SpamTokenCounts } from "../types.js";

const HASH_LIMIT = 2 ** 53;

/** Parameters: the hashes as hashJson's list, the scope. The found tokens as one text, "hash spam
 *  ham hash spam ham …" (NULL when none is found): no row array or boxed number per token. CROSS
 *  JOIN keeps the list the outer loop, walked in its (sorted) order with one primary-key seek per
 *  hash and no temporary index (as `hash IN (SELECT …)` builds); a plain JOIN lets the planner put
 *  spam_tokens outside, a scan of the scope per hash (spam.test.ts checks the plan). */
export const TOKEN_COUNTS_SQL = `SELECT group_concat(t.hash || ' ' || t.spam || ' ' || t.ham, ' ')
  FROM json_each(?) j CROSS JOIN spam_tokens t ON t.scope = ? AND t.hash = j.value`;

/** The hashes checked as hashList checks them (same refusals), in ascending order, each once. */
export function sortedHashes(hashes: readonly number[]): Float64Array {
  if (!Array.isArray(hashes)) invalid("token hashes are not a list");
  if (hashes.length > SPAM_MAX_HASHES) invalid(`more than ${SPAM_MAX_HASHES} token hashes`);
  const out = new Float64Array(hashes.length);
  for (let i = 0; i < hashes.length; i++) {
    const h = hashes[i];
    if (!Number.isSafeInteger(h) || (h as number) < 0 || (h as number) >= HASH_LIMIT)
      invalid(`token hash ${String(h)} out of range`);
    out[i] = h as number;
  }
  out.sort();
  // Duplicates dropped in place (a caller may repeat a hash; the join would then repeat its row).
  let n = 0;
  for (let i = 0; i < out.length; i++) if (n === 0 || out[i] !== out[n - 1]) out[n++] = out[i]!;
  return n === out.length ? out : out.subarray(0, n);
}

/** The JSON array json_each reads: integers below 2^53 print as their digits (no exponent). */
export function hashJson(sorted: Float64Array): string {
  return `[${sorted.join(",")}]`;
}

/** Parses group_concat's "hash spam ham …" (non-negative integers, single spaces) into `out`. */
export function parseCounts(text: string | null, out: Map<number, SpamTokenCounts>): void {
  if (text === null || text === "") return;
  let value = 0;
  let field = 0;
  let hash = 0;
  let spam = 0;
  const n = text.length;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 32;
    if (c !== 32) {
      value = value * 10 + (c - 48);
      continue;
    }
    if (field === 0) hash = value;
    else if (field === 1) spam = value;
    else out.set(hash, { spam, ham: value });
    field = field === 2 ? 0 : field + 1;
    value = 0;
  }
}
