// Schema v3 (issue 17): the set-based change-log and refcount functions keep one generic plan.
//
// A plpgsql function's statements are prepared with its arguments as parameters. With the default
// plan_cache_mode (auto) PostgreSQL plans them again at every call whenever a plan for the actual
// values looks cheaper than the generic one — and for array arguments it always does: the custom
// plan knows the array has one element where the generic plan guesses ten. log_changes' statement
// (a CTE of six parts) was planned again at every flag change, EXPUNGE and COPY: ~0.5 ms of
// PostgreSQL CPU each (pg_stat_statements with track_planning: 562 ms of planning for 1,206 calls
// of its WITH statement in 8 s of bench:imap's mixed load), the largest single cost of an IMAP STORE.
// Their generic plans are the same index lookups whatever the arrays' lengths.
export const PLAN_SETTINGS: readonly string[] = [
  `ALTER FUNCTION log_changes(BIGINT[], INTEGER[], BIGINT[], TEXT[]) SET plan_cache_mode = force_generic_plan`,
  `ALTER FUNCTION blob_refs(BIGINT[], BIGINT[]) SET plan_cache_mode = force_generic_plan`,
];

// Schema v5: file_delivery's statements, for the same reason. Its mailbox and account locks
// (`= ANY(box)`, `= ANY(p_accounts)`) and the thread lookup (`msgid = ANY(p_anc)`) take arrays and
// were planned again at every delivery (pg_stat_statements: plans = calls, ~0.2 ms of PostgreSQL
// CPU per message); their generic plans are the same primary-key and index lookups.
export const FILING_PLAN_SETTINGS: readonly string[] = [
  `ALTER FUNCTION file_delivery(BIGINT[], BIGINT[], INTEGER[], TEXT[], BIGINT, BIGINT, BOOLEAN, TEXT, BIGINT, TEXT, TEXT, TEXT, BYTEA, TEXT[]) SET plan_cache_mode = force_generic_plan`,
];
