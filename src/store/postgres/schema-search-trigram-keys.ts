// Schema v9: the vocabulary's trigrams (ftw_terms.tris, searched through GIN) are hashed into
// 4,093 INTEGER keys (search-trigrams.ts; ftw_trigram_keys() below is the same hash in SQL, for
// the words stored before), not kept as three-letter TEXT.
//
// Why: the indexer's vocabulary insert was PostgreSQL's dearest statement during SMTP delivery
// (pg_stat_statements, bench:smtp --per-message: more execution time than every file_delivery
// together, 81 of the run's 112 MB of WAL). A DKIM-signed message brings ~17 new words (b=
// fragments, Message-IDs), each with ~18 random trigrams spread over the whole trigram space, so
// every key went to its own place in a large GIN tree. With a few thousand keys the tree stays
// small and a pending-list merge adds several items per key; the keys come computed by the
// indexer, not by a subquery per word. Figures: docs/ARCHITECTURE.md, PostgreSQL store.
//
// Answers do not change: the keys only narrow and strpos() / LIKE on the word decides, as before
// (search.test.ts). ALTER … TYPE rebuilds ftw_terms_tris from its definition (the pending list
// of schema v6 kept).
export const SEARCH_TRIGRAM_KEYS: readonly string[] = [
  `CREATE FUNCTION ftw_trigram_keys(w TEXT) RETURNS INTEGER[]
   LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
     SELECT coalesce(array_agg(DISTINCT ((ascii(substr(w, i, 1))::bigint * 1031
                                          + ascii(substr(w, i + 1, 1))) * 1031
                                          + ascii(substr(w, i + 2, 1))) % 4093), '{}')::integer[]
     FROM generate_series(1, char_length(w) - 2) AS i
   $$`,
  "ALTER TABLE ftw_terms ALTER COLUMN tris TYPE INTEGER[] USING ftw_trigram_keys(term)",
];
