// The header index's backend-neutral pieces, shared by the SQLite (src/store/sqlite/header-index.ts)
// and PostgreSQL (src/store/postgres/search-headers.ts) stores: which fields are indexed, in which
// columns, how a field's occurrences are joined, and their values as evaluate.ts compares them.
import { headerSearchValues } from "../../mime/header-search.js";
import { getHeaderFields } from "../../mime/headers.js";
import type { IndexedHeaderField } from "../types.js";

export const DEFAULT_HEADER_INDEX_BATCH = 500;

export const HEADER_COLUMN: Record<IndexedHeaderField, string> = {
  FROM: "h_from",
  TO: "h_to",
  CC: "h_cc",
  BCC: "h_bcc",
  SUBJECT: "h_subject",
};
/** Joins the occurrences of a field in its column; needles containing it are verified against
 *  the header itself. */
export const HEADER_SEPARATOR = "\n";

type FieldValues = Record<IndexedHeaderField, string[]>;

/** Every occurrence of the indexed fields, decoded and lower-cased, as evaluate.ts compares them;
 *  an address field also in its parsed normal form (headerSearchValues). */
export function indexedHeaderValues(head: Buffer): FieldValues {
  const out: FieldValues = { FROM: [], TO: [], CC: [], BCC: [], SUBJECT: [] };
  for (const f of getHeaderFields(head)) {
    const name = f.name.toUpperCase();
    const list = out[name as IndexedHeaderField] as string[] | undefined;
    if (list) list.push(...headerSearchValues(name, f.value));
  }
  return out;
}
