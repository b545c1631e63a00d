// Tables of the filters and reports (schema v1, issue 17): spam models and preferences, Sieve
// scripts and their memory, received reports, report sending counts, the admin charts' counters.
export const FILTER_TABLES: readonly string[] = [];
