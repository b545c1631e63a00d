// Schema v6: the full-text index's GIN indexes take new entries into their pending list
// (fastupdate), bounded at 512 kB each, and merge them into the main index in bulk.
//
// Why: with fastupdate off (schema v1) every body's words went straight into the posting lists,
// one entry at a time, and a GIN leaf rewrites the whole entry tuple (its posting list, up to
// ~2 kB) in the WAL at each insert: the indexer wrote ~120 kB of WAL per 4 kB message into
// fts_words (pg_stat_statements, bench:smtp --per-message, 3,000 messages: 357 MB) and ~3.4 kB
// per new vocabulary word into ftw_terms (179 MB) — 28 times the deliveries' own (19 MB).
// With the pending list an insert appends its entries (a few dozen octets each) and the merge,
// once the list passes gin_pending_list_limit, adds each key's new items once per merge (sorted):
// fts_words' WAL 357 → 18 MB for the same 3,000 messages, PostgreSQL's CPU per delivered
// message −19 % (docs/ARCHITECTURE.md, PostgreSQL store).
//
// Searches read the pending list as well as the tree, so answers are the same; the limit keeps
// what they scan (and what an index holds uncompressed: schema v1's concern, a 4 MB default list
// making the index four times the mail on 1,000 messages) to 512 kB per index. The merge runs in
// the backend whose insert passed the limit — the indexer's, never a delivery's (deliveries do
// not write these tables) — or in autovacuum.
export const SEARCH_PENDING_LISTS: readonly string[] = [
  "ALTER INDEX ftw_terms_tris SET (fastupdate = on, gin_pending_list_limit = 512)",
  "ALTER INDEX fts_words_head SET (fastupdate = on, gin_pending_list_limit = 512)",
  "ALTER INDEX fts_words_body SET (fastupdate = on, gin_pending_list_limit = 512)",
  "ALTER INDEX fts_words_more SET (fastupdate = on, gin_pending_list_limit = 512)",
];
