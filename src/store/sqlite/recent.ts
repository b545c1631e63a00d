// \Recent (RFC 3501 2.3.2): a message is recent in exactly one session, the first read-write
// session told of it. mailboxes.first_recent_uid marks where the unclaimed messages begin; a
// claim moves it to UIDNEXT. A claim takes effect in memory at once (Ctx.recentClaims) and is
// written by the next group commit, so it adds no transaction of its own (a claim follows nearly
// every new message; it is a step of that batch, GroupCommitWriter.submitTail, without a job's
// savepoint and promise). A claim lost in a crash leaves its messages recent once more, which the
// RFC prefers to never.
import type { RecentClaim } from "../types.js";
import type { Ctx } from "./context.js";
import type { MailboxRows } from "./mailboxes.js";
import type { MailboxRow } from "./rows.js";

/** v6: existing messages start out claimed (not recent); new mailboxes start at UID 1. */
export const recentMigration = `
ALTER TABLE mailboxes ADD COLUMN first_recent_uid INTEGER NOT NULL DEFAULT 1;
UPDATE mailboxes SET first_recent_uid = uid_next;
`;

/** Where the mailbox's unclaimed messages begin, counting claims not written yet. */
export function firstUnclaimed(ctx: Ctx, row: Pick<MailboxRow, "id" | "first_recent_uid">): number {
  return Math.max(row.first_recent_uid, ctx.recentClaims.get(row.id) ?? 0);
}

export function createRecentOps(ctx: Ctx, rows: MailboxRows) {
  const save = ctx.db.prepare<[number, number, number]>(
    "UPDATE mailboxes SET first_recent_uid = ? WHERE id = ? AND first_recent_uid < ?",
  );
  let saving = false;

  /** Writes the claims made so far in the next group commit (one step however many claims). */
  function scheduleSave(): void {
    if (saving) return;
    ctx.assertOpen();
    saving = true;
    ctx.writer.submitTail(() => {
      saving = false;
      // One that fails (logged by the writer) stays in memory with those after it, for the next save.
      for (const [id, uid] of ctx.recentClaims) {
        save.run(uid, id, uid);
        ctx.recentClaims.delete(id);
      }
    });
  }

  return {
    async claimRecent(mailboxId: number, opts: { peek?: boolean } = {}): Promise<RecentClaim> {
      const row = ctx.read(() => rows.mustCounters(mailboxId));
      const range = { from: firstUnclaimed(ctx, row), to: row.uid_next - 1 };
      if (opts.peek || range.from > range.to) return range;
      ctx.recentClaims.set(mailboxId, row.uid_next);
      scheduleSave();
      return range;
    },
  };
}
