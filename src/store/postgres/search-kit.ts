// What the search files of the PostgreSQL store share.
import { StoreError } from "../errors.js";
import type { Tx } from "./db.js";

/** StoreError "not-found" unless mailbox `id` exists. */
export async function mustMailbox(t: Pick<Tx, "one">, id: number): Promise<void> {
  if (!(await t.one("SELECT 1 FROM mailboxes WHERE id = $1", [id])))
    throw new StoreError("not-found", `no mailbox ${id}`);
}
