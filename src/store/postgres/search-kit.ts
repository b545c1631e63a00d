// What the search files of the PostgreSQL store share.
import { StoreError } from "../errors.js";
import type { Tx } from "./db.js";

/** StoreError "not-found" unless mailbox `id` exists. */
export async function mustMailbox(t: Pick<Tx, "one">, id: number): Promise<void> {
  if (!(await t.one("SELECT 1 FROM mailboxes WHERE id = $1", [id])))
    throw new StoreError("not-found", `no mailbox ${id}`);
}

/** The ids of several answers, ascending, each once. A typed array sorts numbers without a
 *  comparator call per comparison, and no set is built. */
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
