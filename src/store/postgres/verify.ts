// `yubin verify` on the PostgreSQL store: the checks of the SQLite store's verify
// (src/store/sqlite/verify.ts) on this schema, with the same problems reported: every body (its
// blob_chunks in order) against its SHA-256 and size, the refcounts the blob_ref triggers keep
// (messages + queue entries), the quota counters on accounts, every UID (live or expunged) below
// UIDNEXT and every MODSEQ at most HIGHESTMODSEQ. Read-only and safe beside running nodes: bodies
// are read one at a time, and the aggregate checks in one REPEATABLE READ transaction (one
// snapshot). Repair recounts in one transaction; it should run with the nodes stopped, since a
// node's writes meanwhile would be counted twice or not at all.
import { createHash } from "node:crypto";
import type pg from "pg";
import { StoreError } from "../errors.js";
import type { VerifyProblem, VerifyResult } from "../sqlite/verify.js";
import { connectTool as connect } from "./tool-client.js";

const PAGE = 500;

export async function verifyPostgresStore(opts: { url: string; repair?: boolean }): Promise<VerifyResult> {
  const c = await connect(opts.url);
  try {
    const has = await c.query(
      "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'blobs'",
    );
    if (has.rowCount === 0)
      throw new StoreError("not-found", "no Yubin store in the PostgreSQL URL's schema");
    const bodies = await checkBodies(c);
    const result = await checkInvariants(c, bodies);
    if (opts.repair) result.repaired = await repair(c, result.problems);
    return result;
  } finally {
    await c.end().catch(() => {});
  }
}

interface BadBody {
  id: number;
  hash: string;
  missing: boolean;
}

async function checkBodies(c: pg.Client): Promise<{ bad: BadBody[]; blobs: number; bytes: number }> {
  const bad: BadBody[] = [];
  let blobs = 0;
  let bytes = 0;
  let after = 0;
  for (;;) {
    const page = await c.query<{ id: string; hash: string; size: string }>(
      "SELECT id, hash, size FROM blobs WHERE id > $1 ORDER BY id LIMIT $2",
      [after, PAGE],
    );
    if (page.rows.length === 0) break;
    after = Number(page.rows.at(-1)!.id);
    for (const b of page.rows) {
      const chunks = await c.query<{ data: Buffer }>(
        "SELECT data FROM blob_chunks WHERE blob_id = $1 ORDER BY seq",
        [b.id],
      );
      if (chunks.rows.length === 0) {
        // Dropped with its last message since the page was read: not a problem.
        const still = await c.query("SELECT 1 FROM blobs WHERE id = $1", [b.id]);
        if (still.rowCount === 0) continue;
        blobs++;
        bad.push({ id: Number(b.id), hash: b.hash, missing: true });
        continue;
      }
      blobs++;
      const h = createHash("sha256");
      let size = 0;
      for (const r of chunks.rows) {
        h.update(r.data);
        size += r.data.length;
      }
      bytes += size;
      if (size !== Number(b.size) || h.digest("hex") !== b.hash)
        bad.push({ id: Number(b.id), hash: b.hash, missing: false });
    }
  }
  return { bad, blobs, bytes };
}

async function checkInvariants(
  c: pg.Client,
  bodies: Awaited<ReturnType<typeof checkBodies>>,
): Promise<VerifyResult> {
  const problems: VerifyProblem[] = [];
  await c.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    const ids = bodies.bad.map((b) => b.id);
    if (ids.length > 0) {
      const refs = await c.query<{ blob_id: string; account: string; mailbox: string; uid: string }>(
        `SELECT m.blob_id, a.address AS account, x.name AS mailbox, m.uid FROM messages m
         JOIN mailboxes x ON x.id = m.mailbox_id JOIN accounts a ON a.id = x.account_id
         WHERE m.blob_id = ANY($1::bigint[]) ORDER BY a.address, x.name, m.uid`,
        [ids],
      );
      const queued = await c.query<{ blob_id: string; n: string }>(
        "SELECT blob_id, count(*) AS n FROM queue WHERE blob_id = ANY($1::bigint[]) GROUP BY blob_id",
        [ids],
      );
      for (const b of bodies.bad) {
        const messages = refs.rows
          .filter((r) => Number(r.blob_id) === b.id)
          .map((r) => ({ account: r.account, mailbox: r.mailbox, uid: Number(r.uid) }));
        const q = Number(queued.rows.find((r) => Number(r.blob_id) === b.id)?.n ?? 0);
        if (b.missing) problems.push({ kind: "body-missing", hash: b.hash, messages, queued: q });
        else problems.push({ kind: "body-corrupt", hash: b.hash, inline: true, messages, queued: q });
      }
    }
    // blobs.refcount = messages + queue entries using the blob (blob_ref, schema-mail.ts).
    const refcounts = await c.query<{ hash: string; refcount: number; actual: string }>(
      `WITH uses AS (SELECT blob_id, count(*) AS n FROM
         (SELECT blob_id FROM messages UNION ALL SELECT blob_id FROM queue) u GROUP BY blob_id)
       SELECT b.hash, b.refcount, coalesce(u.n, 0) AS actual FROM blobs b
       LEFT JOIN uses u ON u.blob_id = b.id WHERE b.refcount <> coalesce(u.n, 0) ORDER BY b.hash`,
    );
    for (const r of refcounts.rows)
      problems.push({ kind: "refcount", hash: r.hash, recorded: r.refcount, actual: Number(r.actual) });
    // RFC 9051 2.3.1.1: UIDNEXT is above every UID ever assigned; RFC 7162 3.1.1: HIGHESTMODSEQ
    // is at least every MODSEQ.
    const marks = await c.query<{
      account: string;
      mailbox: string;
      uid_next: string;
      highest_modseq: string;
      max_uid: string;
      max_modseq: string;
    }>(
      `WITH live AS (SELECT mailbox_id, max(uid) AS u, max(modseq) AS m FROM messages GROUP BY mailbox_id),
            gone AS (SELECT mailbox_id, max(uid) AS u, max(modseq) AS m FROM expunged GROUP BY mailbox_id),
            x AS (SELECT x.*, greatest(coalesce(l.u, 0), coalesce(g.u, 0)) AS max_uid,
                         greatest(coalesce(l.m, 0), coalesce(g.m, 0)) AS max_modseq
                  FROM mailboxes x LEFT JOIN live l ON l.mailbox_id = x.id LEFT JOIN gone g ON g.mailbox_id = x.id)
       SELECT a.address AS account, x.name AS mailbox, x.uid_next, x.highest_modseq, x.max_uid, x.max_modseq
       FROM x JOIN accounts a ON a.id = x.account_id
       WHERE x.max_uid >= x.uid_next OR x.max_modseq > x.highest_modseq ORDER BY a.address, x.name`,
    );
    for (const r of marks.rows) {
      const [uidNext, maxUid] = [Number(r.uid_next), Number(r.max_uid)];
      const [highestModseq, maxModseq] = [Number(r.highest_modseq), Number(r.max_modseq)];
      if (maxUid >= uidNext)
        problems.push({ kind: "uid-next", account: r.account, mailbox: r.mailbox, uidNext, maxUid });
      if (maxModseq > highestModseq)
        problems.push({
          kind: "highest-modseq",
          account: r.account,
          mailbox: r.mailbox,
          highestModseq,
          maxModseq,
        });
    }
    const quota = await c.query<{
      account: string;
      used_bytes: string;
      used_messages: string;
      bytes: string;
      n: string;
    }>(
      `WITH sums AS (SELECT account_id, sum(size) AS bytes, count(*) AS n FROM messages GROUP BY account_id)
       SELECT a.address AS account, a.used_bytes, a.used_messages, coalesce(s.bytes, 0) AS bytes, coalesce(s.n, 0) AS n
       FROM accounts a LEFT JOIN sums s ON s.account_id = a.id
       WHERE a.used_bytes <> coalesce(s.bytes, 0) OR a.used_messages <> coalesce(s.n, 0) ORDER BY a.address`,
    );
    for (const r of quota.rows)
      problems.push({
        kind: "quota",
        account: r.account,
        recordedBytes: Number(r.used_bytes),
        actualBytes: Number(r.bytes),
        recordedMessages: Number(r.used_messages),
        actualMessages: Number(r.n),
      });
    const counts = await c.query<{ messages: string; mailboxes: string; accounts: string }>(
      `SELECT (SELECT count(*) FROM messages) AS messages, (SELECT count(*) FROM mailboxes) AS mailboxes,
              (SELECT count(*) FROM accounts) AS accounts`,
    );
    const n = counts.rows[0]!;
    return {
      problems,
      checked: {
        blobs: bodies.blobs,
        bodyBytes: bodies.bytes,
        messages: Number(n.messages),
        mailboxes: Number(n.mailboxes),
        accounts: Number(n.accounts),
      },
    };
  } finally {
    await c.query("COMMIT");
  }
}

/** Recounts what the triggers keep, in one transaction. A body nothing uses is deleted (its
 *  chunks with it), as blob_ref does when its last reference goes. */
async function repair(c: pg.Client, problems: readonly VerifyProblem[]): Promise<number> {
  await c.query("BEGIN");
  try {
    let fixed = 0;
    const mailbox = "account_id = (SELECT id FROM accounts WHERE address = $3) AND name = $2";
    for (const p of problems) {
      if (p.kind === "refcount") {
        if (p.actual === 0) await c.query("DELETE FROM blobs WHERE hash = $1", [p.hash]);
        else await c.query("UPDATE blobs SET refcount = $1 WHERE hash = $2", [p.actual, p.hash]);
      } else if (p.kind === "uid-next")
        await c.query(`UPDATE mailboxes SET uid_next = $1 WHERE ${mailbox}`, [
          p.maxUid + 1,
          p.mailbox,
          p.account,
        ]);
      else if (p.kind === "highest-modseq")
        await c.query(`UPDATE mailboxes SET highest_modseq = $1 WHERE ${mailbox}`, [
          p.maxModseq,
          p.mailbox,
          p.account,
        ]);
      else if (p.kind === "quota")
        await c.query("UPDATE accounts SET used_bytes = $1, used_messages = $2 WHERE address = $3", [
          p.actualBytes,
          p.actualMessages,
          p.account,
        ]);
      else continue;
      fixed++;
    }
    await c.query("COMMIT");
    return fixed;
  } catch (e) {
    await c.query("ROLLBACK").catch(() => {});
    throw e;
  }
}
