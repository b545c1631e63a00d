// Verification of a migrated store (issue 17, `yubin migrate-store`, also --verify-only): both
// stores read through the Store interface, so what is compared is what the protocols will serve,
// not what the tables hold. Per account: the mailboxes (id, name, UIDVALIDITY, UIDNEXT,
// HIGHESTMODSEQ, special use, subscription), per mailbox the messages' (id, UID, MODSEQ, flags,
// size, blob hash, thread, dates), the quota used; the queue's entries; and every body named by a
// message or a queue entry read back from PostgreSQL and its SHA-256 compared with its hash.
import { createHash } from "node:crypto";
import type { Store } from "../store/types.js";

export interface VerifyOptions {
  /** Most differences listed (the count is still exact). */
  maxReported?: number;
  progress?: (line: string) => void;
}

export interface VerifyResult {
  differences: string[];
  /** Differences beyond those listed. */
  more: number;
  accounts: number;
  mailboxes: number;
  messages: number;
  bodies: number;
}

const DEFAULT_MAX_REPORTED = 50;
/** UIDs compared per listMessages call. */
const UID_WINDOW = 5_000;

type Meta = Awaited<ReturnType<Store["mail"]["listMessages"]>>[number];

const msgRow = (m: Meta) => ({
  id: m.id,
  uid: m.uid,
  modseq: m.modseq,
  flags: [...m.flags].sort(),
  size: m.size,
  blobId: m.blobId,
  threadId: m.threadId,
  internalDate: m.internalDate.getTime(),
  savedDate: m.savedDate.getTime(),
});

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export async function verifyMigration(
  from: Store,
  to: Store,
  opts: VerifyOptions = {},
): Promise<VerifyResult> {
  const max = opts.maxReported ?? DEFAULT_MAX_REPORTED;
  const result: VerifyResult = {
    differences: [],
    more: 0,
    accounts: 0,
    mailboxes: 0,
    messages: 0,
    bodies: 0,
  };
  const differ = (what: string) => {
    if (result.differences.length < max) result.differences.push(what);
    else result.more++;
  };
  const blobs = new Set<string>();

  const accountsA = await from.directory.listAccounts();
  const accountsB = await to.directory.listAccounts();
  const accountRow = (a: (typeof accountsA)[number]) => ({
    id: a.id,
    address: a.address,
    passwordHash: a.passwordHash,
    quotaBytes: a.quotaBytes,
    quotaMessages: a.quotaMessages,
    isAdmin: a.isAdmin,
    disabled: a.disabled,
    createdAt: a.createdAt.getTime(),
  });
  const byIdB = new Map(accountsB.map((a) => [a.id, a]));
  for (const b of accountsB)
    if (!accountsA.some((a) => a.id === b.id)) differ(`account ${b.address}: only in PostgreSQL`);

  for (const a of accountsA) {
    const b = byIdB.get(a.id);
    if (!b) {
      differ(`account ${a.address}: missing in PostgreSQL`);
      continue;
    }
    result.accounts++;
    if (!same(accountRow(a), accountRow(b))) differ(`account ${a.address}: differs`);
    const qa = await from.mail.quotaUsage(a.id);
    const qb = await to.mail.quotaUsage(a.id);
    if (!same(qa, qb))
      differ(`account ${a.address}: quota used ${JSON.stringify(qa)} vs ${JSON.stringify(qb)}`);

    const boxesA = await from.mail.listMailboxes(a.id);
    const boxesB = await to.mail.listMailboxes(a.id);
    const boxRow = (m: (typeof boxesA)[number]) => ({
      id: m.id,
      name: m.name,
      uidValidity: m.uidValidity,
      uidNext: m.uidNext,
      highestModseq: m.highestModseq,
      specialUse: m.specialUse,
      subscribed: m.subscribed,
    });
    const boxesByIdB = new Map(boxesB.map((m) => [m.id, m]));
    for (const m of boxesB)
      if (!boxesA.some((x) => x.id === m.id)) differ(`${a.address} mailbox "${m.name}": only in PostgreSQL`);
    for (const ma of boxesA) {
      const mb = boxesByIdB.get(ma.id);
      if (!mb) {
        differ(`${a.address} mailbox "${ma.name}": missing in PostgreSQL`);
        continue;
      }
      result.mailboxes++;
      if (!same(boxRow(ma), boxRow(mb)))
        differ(
          `${a.address} mailbox "${ma.name}": ${JSON.stringify(boxRow(ma))} vs ${JSON.stringify(boxRow(mb))}`,
        );
      // In windows of UIDs, so a mailbox of a million messages is never held whole.
      const top = Math.max(ma.uidNext, mb.uidNext);
      let countA = 0;
      let countB = 0;
      for (let minUid = 1; minUid < top; minUid += UID_WINDOW) {
        const range = { minUid, maxUid: minUid + UID_WINDOW - 1 };
        const msgsA = await from.mail.listMessages(ma.id, range);
        const msgsB = await to.mail.listMessages(mb.id, range);
        countA += msgsA.length;
        countB += msgsB.length;
        const byUidB = new Map(msgsB.map((m) => [m.uid, m]));
        const uidsA = new Set(msgsA.map((m) => m.uid));
        for (const x of msgsA) {
          result.messages++;
          blobs.add(x.blobId);
          const y = byUidB.get(x.uid);
          if (!y) differ(`${a.address} mailbox "${ma.name}" UID ${x.uid}: missing in PostgreSQL`);
          else if (!same(msgRow(x), msgRow(y)))
            differ(
              `${a.address} mailbox "${ma.name}" UID ${x.uid}: ${JSON.stringify(msgRow(x))} vs ${JSON.stringify(msgRow(y))}`,
            );
        }
        for (const y of msgsB)
          if (!uidsA.has(y.uid)) differ(`${a.address} mailbox "${ma.name}" UID ${y.uid}: only in PostgreSQL`);
      }
      if (countA !== countB) differ(`${a.address} mailbox "${ma.name}": ${countA} messages vs ${countB}`);
    }
    opts.progress?.(`verified ${a.address}: ${boxesA.length} mailboxes`);
  }

  const queueA = await from.queue.listQueue();
  const queueB = await to.queue.listQueue();
  if (queueA.length !== queueB.length) differ(`queue: ${queueA.length} entries vs ${queueB.length}`);
  const queueRow = (q: (typeof queueA)[number]) => ({
    id: q.id,
    blobId: q.blobId,
    size: q.size,
    mailFrom: q.mailFrom,
    recipients: q.recipients,
    state: q.state,
    attempts: q.attempts,
    nextAttemptAt: q.nextAttemptAt.getTime(),
  });
  const queueByIdB = new Map(queueB.map((q) => [q.id, q]));
  for (const q of queueA) {
    blobs.add(q.blobId);
    const r = queueByIdB.get(q.id);
    if (!r) differ(`queue entry ${q.id}: missing in PostgreSQL`);
    else if (!same(queueRow(q), queueRow(r))) differ(`queue entry ${q.id}: differs`);
  }

  for (const hash of blobs) {
    result.bodies++;
    try {
      const body = await to.mail.readBody(hash);
      const got = createHash("sha256").update(body).digest("hex");
      if (got !== hash) differ(`body ${hash}: PostgreSQL holds octets whose SHA-256 is ${got}`);
    } catch (e) {
      differ(`body ${hash}: not readable from PostgreSQL (${(e as Error).message})`);
    }
  }
  return result;
}
