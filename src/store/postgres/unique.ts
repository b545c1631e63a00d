// A unique violation (SQLSTATE 23505) as the StoreError the SQLite store gives ("exists"): two
// nodes inserting one key at once, the second finding it only at its INSERT.
import { StoreError } from "../errors.js";

const UNIQUE_VIOLATION = "23505";

/** `p`, with a unique violation as StoreError "exists" (`message`). */
export async function existsOnConflict<T>(p: Promise<T>, message: string): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if ((e as { code?: string }).code === UNIQUE_VIOLATION) throw new StoreError("exists", message);
    throw e;
  }
}
