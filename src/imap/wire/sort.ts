// SORT and THREAD arguments (RFC 5256 3, RFC 5957 DISPLAYFROM/DISPLAYTO): the sort criteria or
// threading algorithm, a charset (required here, unlike SEARCH), then search keys.
import { type Cursor, ParseError } from "./cursor.js";
import { parseKey, type SearchKey } from "./search.js";

export type SortKey =
  | "ARRIVAL"
  | "CC"
  | "DATE"
  | "FROM"
  | "SIZE"
  | "SUBJECT"
  | "TO"
  | "DISPLAYFROM"
  | "DISPLAYTO";

export interface SortCriterion {
  key: SortKey;
  reverse: boolean;
}

export type ThreadAlgorithm = "ORDEREDSUBJECT" | "REFERENCES";

const SORT_KEYS = new Set<string>([
  "ARRIVAL",
  "CC",
  "DATE",
  "FROM",
  "SIZE",
  "SUBJECT",
  "TO",
  "DISPLAYFROM",
  "DISPLAYTO",
]);

export function parseSortCriteria(c: Cursor): SortCriterion[] {
  return c.list(
    (x) => {
      let w = x.word();
      let reverse = false;
      if (w === "REVERSE") {
        reverse = true;
        x.sp();
        w = x.word();
      }
      if (!SORT_KEYS.has(w)) throw new ParseError(`Unknown sort key ${w}`);
      return { key: w as SortKey, reverse };
    },
    { allowEmpty: false },
  );
}

export function parseThreadAlgorithm(c: Cursor): ThreadAlgorithm {
  const w = c.word();
  if (w !== "ORDEREDSUBJECT" && w !== "REFERENCES") throw new ParseError(`Unknown threading algorithm ${w}`);
  return w;
}

/** charset SP search-key *(SP search-key) */
export function parseCharsetAndKeys(c: Cursor): { charset: string; key: SearchKey } {
  const charset = c.astring();
  c.sp();
  const keys: SearchKey[] = [];
  for (;;) {
    keys.push(parseKey(c));
    if (keys.length > 1000) throw new ParseError("Too many search keys");
    if (c.atEnd()) break;
    c.sp();
  }
  return { charset, key: keys.length === 1 ? keys[0]! : { k: "and", keys } };
}
