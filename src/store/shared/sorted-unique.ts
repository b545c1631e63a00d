// Joining the id lists of several index answers, shared by the SQLite (src/store/sqlite/fulltext.ts)
// and PostgreSQL (src/store/postgres/search-fulltext.ts) full-text searches.

/** The ids of several answers, ascending, each once. A typed array sorts numbers without a
 *  comparator call per comparison (30,000 ids in ~2 ms), and no set is built. */
export function sortedUnique(lists: number[][]): number[] {
  let total = 0;
  for (const l of lists) total += l.length;
  const all = new Float64Array(total);
  let at = 0;
  for (const l of lists) {
    all.set(l, at);
    at += l.length;
  }
  all.sort();
  const out: number[] = [];
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) out.push(all[i]!);
  return out;
}
