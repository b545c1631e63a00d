// COPY and MOVE on PostgreSQL (issue 17) with COPYUID mappings (RFC 4315 4.3, RFC 6851 4.3), as
// the SQLite store does them (src/store/sqlite/messages.ts transfer()). Both mailboxes' rows are
// locked first, lower id first (mail-flags.ts lockMailboxes), so the target's new UIDs and both
// mailboxes' mod-sequences are above every committed one whichever node writes, and two nodes
// moving in opposite directions wait for each other instead of deadlocking. Then the target
// account's row (the lock order of schema-mail.ts: mailboxes, then accounts), so the quota check
// sees every committed copy. COPY files new rows through mail-file.ts, the path every addition
// takes; MOVE keeps the message ids, renumbers the rows (one statement over arrays) and records
// the source's expunges (QRESYNC).
import { StoreError } from "../errors.js";
import type { MailEvent } from "../notifier.js";
import { checkUids } from "../shared/flag-update.js";
import { splitKeywords } from "../shared/flags.js";
import type { CopyResult } from "../types.js";
import type { PgCtx } from "./context.js";
import type { Tx } from "./db.js";
import { checkQuota, fileMessages, findThread } from "./mail-file.js";
import { type LockedMailbox, lockMailboxes } from "./mail-flags.js";

interface SourceRow {
  id: number;
  account_id: number;
  uid: number;
  size: number;
  sys_flags: number;
  keywords: string;
  internal_date: number;
  blob_id: number;
  thread_id: number;
  refs: string;
}

interface AccountQuota {
  id: number;
  quota_bytes: number;
  quota_messages: number;
  used_bytes: number;
  used_messages: number;
}

async function lockAccount(t: Tx, accountId: number): Promise<AccountQuota> {
  const a = await t.one<AccountQuota>(
    `SELECT id, quota_bytes, quota_messages, used_bytes, used_messages FROM accounts
     WHERE id = $1 FOR NO KEY UPDATE`,
    [accountId],
  );
  if (!a) throw new StoreError("not-found", `no account ${accountId}`);
  return a;
}

export function createMoveOps(ctx: PgCtx) {
  /** COPY: new rows through the one filing path (mail-file.ts: quota, threads, UIDs), the same
   *  bodies; a copy within the account stays in the message's thread. */
  const copy = async (t: Tx, src: LockedMailbox, dst: LockedMailbox, msgs: SourceRow[]) => {
    const { copies, events } = await fileMessages(
      t,
      ctx,
      msgs.map((m) => ({
        accountId: dst.account_id,
        mailboxId: dst.id,
        flags: { bits: m.sys_flags, keywords: splitKeywords(m.keywords) },
        internalDate: m.internal_date,
        blobId: m.blob_id,
        ...(m.account_id === dst.account_id ? { threadId: m.thread_id } : {}),
      })),
      { cause: "copy", fromMailboxId: src.id },
    );
    const mapping = msgs.map((m, i) => ({ from: m.uid, to: copies[i]!.uid }));
    return { value: { uidValidity: dst.uid_validity, mapping }, events };
  };

  /** MOVE: the rows keep their ids and take new UIDs in the target; the source records their
   *  expunges. Moving into the same mailbox renumbers the messages: each is expunged and comes
   *  back under a new UID (RFC 6851 3.3 allows it; Dovecot does it), one modseq counter for both. */
  const move = async (t: Tx, src: LockedMailbox, dst: LockedMailbox, msgs: SourceRow[]) => {
    const others = msgs.filter((m) => m.account_id !== dst.account_id);
    if (others.length > 0) {
      // Into another account: its usage grows (the triggers move it), so its quota is checked.
      const acc = await lockAccount(t, dst.account_id);
      checkQuota(
        acc,
        others.reduce((n, m) => n + m.size, 0),
        others.length,
      );
    }
    const same = src.id === dst.id;
    let uid = dst.uid_next;
    let modseq = dst.highest_modseq;
    let srcModseq = src.highest_modseq;
    const mapping: CopyResult["mapping"] = [];
    const ids: number[] = [];
    const newUids: number[] = [];
    const modseqs: number[] = [];
    const goneModseqs: number[] = [];
    const threads: number[] = [];
    for (const m of msgs) {
      const to = uid++;
      goneModseqs.push(same ? ++modseq : ++srcModseq);
      modseqs.push(++modseq);
      ids.push(m.id);
      newUids.push(to);
      mapping.push({ from: m.uid, to });
      // Into another account: that account's thread of its nearest ancestor, or its own.
      if (m.account_id === dst.account_id) threads.push(m.thread_id);
      else
        threads.push(
          (await findThread(t, dst.account_id, (JSON.parse(m.refs) as string[]).reverse())) ?? m.id,
        );
    }
    await t.run(
      `INSERT INTO expunged (mailbox_id, uid, modseq, message_id)
       SELECT $1, v.uid, v.ms, v.id FROM unnest($2::bigint[], $3::bigint[], $4::bigint[]) AS v(uid, ms, id)`,
      [src.id, msgs.map((m) => m.uid), goneModseqs, ids],
    );
    await t.run(
      `UPDATE messages m SET account_id = $1, mailbox_id = $2, uid = v.uid, modseq = v.ms,
         created_modseq = v.ms, thread_id = v.thread
       FROM unnest($3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[]) AS v(id, uid, ms, thread)
       WHERE m.id = v.id`,
      [dst.account_id, dst.id, ids, newUids, modseqs, threads],
    );
    if (same) srcModseq = modseq;
    else await t.run("UPDATE mailboxes SET highest_modseq = $1 WHERE id = $2", [srcModseq, src.id]);
    await t.run("UPDATE mailboxes SET uid_next = $1, highest_modseq = $2 WHERE id = $3", [
      uid,
      modseq,
      dst.id,
    ]);
    const events: MailEvent[] = [
      {
        kind: "expunged",
        accountId: src.account_id,
        mailboxId: src.id,
        uids: mapping.map((x) => x.from),
        modseq: srcModseq,
      },
      {
        kind: "added",
        accountId: dst.account_id,
        mailboxId: dst.id,
        uids: mapping.map((x) => x.to),
        modseq,
        cause: "move",
        fromMailboxId: src.id,
      },
    ];
    return { value: { uidValidity: dst.uid_validity, mapping }, events };
  };

  /** COPY and MOVE share the locks and the selection of the source's messages. */
  const transfer = (fromId: number, uids: number[], toId: number, moving: boolean): Promise<CopyResult> => {
    const list = checkUids(uids);
    return ctx.write(async (t) => {
      const boxes = await lockMailboxes(t, [fromId, toId]);
      const src = boxes.get(fromId)!;
      const dst = boxes.get(toId)!;
      const msgs =
        list.length === 0
          ? []
          : await t.rows<SourceRow>(
              `SELECT m.id, m.account_id, m.uid, m.size, m.sys_flags, m.keywords, m.internal_date,
                 m.blob_id, m.thread_id, b.refs
               FROM messages m JOIN blobs b ON b.id = m.blob_id
               WHERE m.mailbox_id = $1 AND m.uid = ANY($2::bigint[]) ORDER BY m.uid`,
              [src.id, list],
            );
      if (msgs.length === 0) return { value: { uidValidity: dst.uid_validity, mapping: [] } };
      return moving ? move(t, src, dst, msgs) : copy(t, src, dst, msgs);
    });
  };

  return {
    async copy(fromMailboxId: number, uids: number[], toMailboxId: number): Promise<CopyResult> {
      return transfer(fromMailboxId, uids, toMailboxId, false);
    },
    async move(fromMailboxId: number, uids: number[], toMailboxId: number): Promise<CopyResult> {
      return transfer(fromMailboxId, uids, toMailboxId, true);
    },
  };
}
