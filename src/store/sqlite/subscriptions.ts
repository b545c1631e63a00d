// Subscriptions to names with no mailbox (RFC 9051 6.3.7, RFC 3501 6.3.6): a subscription is to a
// name, and "a server MUST NOT unilaterally remove an existing mailbox name from the subscription
// list even if a mailbox by that name no longer exists". A mailbox's own subscription is its
// `subscribed` column (what JMAP's isSubscribed reads); when a subscribed mailbox is deleted its
// name moves here, LIST (SUBSCRIBED) shows it \NonExistent (RFC 5258 3.1) until UNSUBSCRIBE, and a
// mailbox created or renamed to that name later takes the subscription back.
import type { Ctx } from "./context.js";

/** v15: subscribed names without a mailbox. */
export const subscriptionMigration = `
CREATE TABLE dangling_subscriptions (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  PRIMARY KEY (account_id, name)
) WITHOUT ROWID;
`;

export class DanglingSubscriptions {
  readonly list;
  readonly add;
  private readonly del;

  constructor(ctx: Ctx) {
    const db = ctx.db;
    this.list = db.prepare<[number], string>(
      "SELECT name FROM dangling_subscriptions WHERE account_id = ? ORDER BY name",
    );
    this.list.pluck(true);
    this.add = db.prepare<[number, string]>(
      "INSERT OR IGNORE INTO dangling_subscriptions (account_id, name) VALUES (?, ?)",
    );
    this.del = db.prepare<[number, string]>(
      "DELETE FROM dangling_subscriptions WHERE account_id = ? AND name = ?",
    );
  }

  /** Removes the name's dangling subscription; true if there was one (inside a write). */
  take(accountId: number, name: string): boolean {
    return this.del.run(accountId, name).changes > 0;
  }
}
