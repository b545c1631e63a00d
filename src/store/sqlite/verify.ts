// `yubin verify` on the SQLite store: checks every invariant the schema's triggers keep
// (schema.ts) against the rows themselves, and every body against its content hash.
// Read-only and safe while the server runs: its own connection, short read transactions (the
// bodies in batches of VERIFY_BATCH, so the WAL can still be checkpointed meanwhile), and the
// aggregate checks in one read transaction, a consistent snapshot. A body file that looks
// missing is looked up again before it is reported, since the server may have deleted its last
// message meanwhile. Repair writes, so it needs the data directory to itself (owner.ts).
import { createHash } from "node:crypto";
import { createReadStream, readdirSync, rmSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { StoreError } from "../errors.js";
import { BLOB_DIR } from "./backup.js";
import { DATABASE_FILE } from "./index.js";
import { claimOwnership, storeOwner } from "./owner.js";

const VERIFY_BATCH = 500;

export interface MessageRef {
  account: string;
  mailbox: string;
  uid: number;
}

export type VerifyProblem =
  | { kind: "body-missing"; hash: string; messages: MessageRef[]; queued: number }
  | { kind: "body-corrupt"; hash: string; inline: boolean; messages: MessageRef[]; queued: number }
  | { kind: "blob-row-missing"; messageId: number; message: MessageRef }
  | { kind: "refcount"; hash: string; recorded: number; actual: number }
  | { kind: "uid-next"; account: string; mailbox: string; uidNext: number; maxUid: number }
  | { kind: "highest-modseq"; account: string; mailbox: string; highestModseq: number; maxModseq: number }
  | {
      kind: "quota";
      account: string;
      recordedBytes: number;
      actualBytes: number;
      recordedMessages: number;
      actualMessages: number;
    };

/** Problems --repair can fix (the others need the body from a backup). */
export function repairable(p: VerifyProblem): boolean {
  return p.kind === "refcount" || p.kind === "uid-next" || p.kind === "highest-modseq" || p.kind === "quota";
}

export interface VerifyResult {
  problems: VerifyProblem[];
  checked: { blobs: number; bodyBytes: number; messages: number; mailboxes: number; accounts: number };
  /** Set with repair: how many problems were fixed (all the repairable ones). */
  repaired?: number;
  /** Body files no row names: a delivery in flight (its file is in place before its commit), or
   *  left by a crash. Not a problem: the server removes them when it starts, and so does repair. */
  orphanFiles?: number;
}

interface BlobRow {
  id: number;
  hash: string;
  size: number;
  inline: number;
  data: Buffer | null;
}

export async function verifySqliteStore(opts: { dataDir: string; repair?: boolean }): Promise<VerifyResult> {
  // This process counts too: a store it has open keeps counters in memory just the same.
  const user = opts.repair ? storeOwner(opts.dataDir, { orSelf: true }) : null;
  if (user !== null)
    throw new StoreError(
      "invalid",
      `the server (pid ${user}) is running on this data directory: stop it before --repair`,
    );
  const ownership = opts.repair ? claimOwnership(opts.dataDir) : null;
  if (ownership && !ownership.owner)
    throw new StoreError("invalid", "the server is running on this data directory: stop it before --repair");
  let db: Database.Database | undefined;
  try {
    db = new Database(join(opts.dataDir, DATABASE_FILE), { fileMustExist: true, readonly: !opts.repair });
    db.pragma("busy_timeout = 5000");
    const bad = await checkBodies(db, join(opts.dataDir, BLOB_DIR));
    const result = checkInvariants(db, bad);
    const orphans = orphanFiles(db, join(opts.dataDir, BLOB_DIR));
    result.orphanFiles = orphans.length;
    if (opts.repair) {
      result.repaired = repair(db, result.problems);
      collectTrash(db, join(opts.dataDir, BLOB_DIR));
      // With the store to ourselves no delivery is in flight: what no row names is garbage.
      for (const path of orphans) rmSync(path, { force: true });
    }
    return result;
  } catch (e) {
    if ((e as { code?: string }).code === "SQLITE_CANTOPEN")
      throw new StoreError("not-found", `no database in ${opts.dataDir}`);
    throw e;
  } finally {
    db?.close();
    ownership?.release();
  }
}

function pathOf(blobDir: string, hash: string): string {
  return join(blobDir, hash.slice(0, 2), hash);
}

async function hashFile(path: string): Promise<{ hash: string; size: number } | null> {
  const h = createHash("sha256");
  let size = 0;
  try {
    for await (const chunk of createReadStream(path)) {
      h.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
  return { hash: h.digest("hex"), size };
}

interface BadBody {
  hash: string;
  id: number;
  inline: boolean;
  missing: boolean;
}

/** Every body against its hash and size: inline ones from blob_data, the others from their file. */
async function checkBodies(
  db: Database.Database,
  blobDir: string,
): Promise<{ bad: BadBody[]; blobs: number; bytes: number }> {
  const page = db.prepare<[number, number], BlobRow>(
    `SELECT b.id, b.hash, b.size, b.inline, d.data FROM blobs b LEFT JOIN blob_data d ON d.blob_id = b.id
     WHERE b.id > ? ORDER BY b.id LIMIT ?`,
  );
  const stillThere = db.prepare<[number], { one: number }>("SELECT 1 AS one FROM blobs WHERE id = ?");
  const bad: BadBody[] = [];
  let blobs = 0;
  let bytes = 0;
  let after = 0;
  for (;;) {
    const rows = page.all(after, VERIFY_BATCH);
    if (rows.length === 0) break;
    after = rows.at(-1)!.id;
    for (const r of rows) {
      blobs++;
      if (r.inline === 1) {
        const ok = r.data !== null && r.data.length === r.size && sha256(r.data) === r.hash;
        bytes += r.data?.length ?? 0;
        if (!ok) bad.push({ hash: r.hash, id: r.id, inline: true, missing: r.data === null });
        continue;
      }
      const got = await hashFile(pathOf(blobDir, r.hash));
      bytes += got?.size ?? 0;
      if (got && got.hash === r.hash && got.size === r.size) continue;
      // Deleted with its last message since this page was read: not a problem.
      if (!got && !stillThere.get(r.id)) continue;
      bad.push({ hash: r.hash, id: r.id, inline: false, missing: got === null });
    }
  }
  return { bad, blobs, bytes };
}

function sha256(b: Buffer): string {
  return createHash("sha256").update(b).digest("hex");
}

interface RefRow {
  blob_id: number;
  account: string;
  mailbox: string;
  uid: number;
}

function checkInvariants(
  db: Database.Database,
  bodies: Awaited<ReturnType<typeof checkBodies>>,
): VerifyResult {
  const problems: VerifyProblem[] = [];
  const read = db.transaction(() => {
    // Who uses each damaged body: one scan for all of them (messages has no blob_id index).
    const ids = JSON.stringify(bodies.bad.map((b) => b.id));
    const refs =
      bodies.bad.length === 0
        ? []
        : db
            .prepare<[string], RefRow>(
              `SELECT m.blob_id, a.address AS account, x.name AS mailbox, m.uid FROM messages m
               JOIN mailboxes x ON x.id = m.mailbox_id JOIN accounts a ON a.id = x.account_id
               WHERE m.blob_id IN (SELECT value FROM json_each(?)) ORDER BY a.address, x.name, m.uid`,
            )
            .all(ids);
    const queued = db
      .prepare<[string], { blob_id: number; n: number }>(
        "SELECT blob_id, count(*) AS n FROM queue WHERE blob_id IN (SELECT value FROM json_each(?)) GROUP BY blob_id",
      )
      .all(ids);
    for (const b of bodies.bad) {
      const messages = refs
        .filter((r) => r.blob_id === b.id)
        .map(({ account, mailbox, uid }) => ({ account, mailbox, uid }));
      const q = queued.find((r) => r.blob_id === b.id)?.n ?? 0;
      if (b.missing && !b.inline) problems.push({ kind: "body-missing", hash: b.hash, messages, queued: q });
      else problems.push({ kind: "body-corrupt", hash: b.hash, inline: b.inline, messages, queued: q });
    }
    for (const r of db
      .prepare<[], { id: number; account: string; mailbox: string; uid: number }>(
        `SELECT m.id, a.address AS account, x.name AS mailbox, m.uid FROM messages m
         LEFT JOIN blobs b ON b.id = m.blob_id JOIN mailboxes x ON x.id = m.mailbox_id
         JOIN accounts a ON a.id = x.account_id WHERE b.id IS NULL`,
      )
      .all())
      problems.push({
        kind: "blob-row-missing",
        messageId: r.id,
        message: { account: r.account, mailbox: r.mailbox, uid: r.uid },
      });
    // blobs.refcount = messages + queue entries using the blob (trigger-kept, schema.ts).
    for (const r of db
      .prepare<[], { hash: string; refcount: number; actual: number }>(
        `WITH uses AS (SELECT blob_id, count(*) AS n FROM
           (SELECT blob_id FROM messages UNION ALL SELECT blob_id FROM queue) GROUP BY blob_id)
         SELECT b.hash, b.refcount, coalesce(u.n, 0) AS actual FROM blobs b
         LEFT JOIN uses u ON u.blob_id = b.id WHERE b.refcount <> coalesce(u.n, 0)`,
      )
      .all())
      problems.push({ kind: "refcount", hash: r.hash, recorded: r.refcount, actual: r.actual });
    // Every UID (live or expunged) below UIDNEXT (RFC 9051 2.3.1.1: UIDs strictly ascend, and
    // UIDNEXT is greater than any UID ever assigned); every MODSEQ at most HIGHESTMODSEQ
    // (RFC 7162 3.1.1).
    for (const r of db
      .prepare<
        [],
        {
          account: string;
          mailbox: string;
          uid_next: number;
          max_uid: number;
          highest_modseq: number;
          max_modseq: number;
        }
      >(
        `WITH live AS (SELECT mailbox_id, max(uid) AS u, max(modseq) AS m FROM messages GROUP BY mailbox_id),
              gone AS (SELECT mailbox_id, max(uid) AS u, max(modseq) AS m FROM expunged GROUP BY mailbox_id)
         SELECT a.address AS account, x.name AS mailbox, x.uid_next, x.highest_modseq,
                max(coalesce(l.u, 0), coalesce(g.u, 0)) AS max_uid,
                max(coalesce(l.m, 0), coalesce(g.m, 0)) AS max_modseq
         FROM mailboxes x JOIN accounts a ON a.id = x.account_id
         LEFT JOIN live l ON l.mailbox_id = x.id LEFT JOIN gone g ON g.mailbox_id = x.id
         WHERE max(coalesce(l.u, 0), coalesce(g.u, 0)) >= x.uid_next
            OR max(coalesce(l.m, 0), coalesce(g.m, 0)) > x.highest_modseq`,
      )
      .all()) {
      if (r.max_uid >= r.uid_next)
        problems.push({
          kind: "uid-next",
          account: r.account,
          mailbox: r.mailbox,
          uidNext: r.uid_next,
          maxUid: r.max_uid,
        });
      if (r.max_modseq > r.highest_modseq)
        problems.push({
          kind: "highest-modseq",
          account: r.account,
          mailbox: r.mailbox,
          highestModseq: r.highest_modseq,
          maxModseq: r.max_modseq,
        });
    }
    // accounts.used_bytes / used_messages = sums over the account's messages (quota, schema.ts).
    for (const r of db
      .prepare<[], { account: string; used_bytes: number; used_messages: number; bytes: number; n: number }>(
        `WITH sums AS (SELECT account_id, sum(size) AS bytes, count(*) AS n FROM messages GROUP BY account_id)
         SELECT a.address AS account, a.used_bytes, a.used_messages, coalesce(s.bytes, 0) AS bytes, coalesce(s.n, 0) AS n
         FROM accounts a LEFT JOIN sums s ON s.account_id = a.id
         WHERE a.used_bytes <> coalesce(s.bytes, 0) OR a.used_messages <> coalesce(s.n, 0)`,
      )
      .all())
      problems.push({
        kind: "quota",
        account: r.account,
        recordedBytes: r.used_bytes,
        actualBytes: r.bytes,
        recordedMessages: r.used_messages,
        actualMessages: r.n,
      });
    const count = (sql: string) => (db.prepare(sql).pluck().get() as number) ?? 0;
    return {
      messages: count("SELECT count(*) FROM messages"),
      mailboxes: count("SELECT count(*) FROM mailboxes"),
      accounts: count("SELECT count(*) FROM accounts"),
    };
  });
  const counts = read();
  return { problems, checked: { blobs: bodies.blobs, bodyBytes: bodies.bytes, ...counts } };
}

/** Recounts what the triggers keep, in one transaction, from the rows as they are now. */
function repair(db: Database.Database, problems: readonly VerifyProblem[]): number {
  const tx = db.transaction(() => {
    let fixed = 0;
    // A blob nothing uses gets refcount 0, and the blobs_unref trigger drops it (its file to
    // blob_trash), as if its last message had just gone.
    const setRef = db.prepare<[number, string]>("UPDATE blobs SET refcount = ? WHERE hash = ?");
    const raiseUid = db.prepare<[number, string, string]>(
      "UPDATE mailboxes SET uid_next = ? WHERE name = ? AND account_id = (SELECT id FROM accounts WHERE address = ?)",
    );
    const raiseModseq = db.prepare<[number, string, string]>(
      "UPDATE mailboxes SET highest_modseq = ? WHERE name = ? AND account_id = (SELECT id FROM accounts WHERE address = ?)",
    );
    const setQuota = db.prepare<[number, number, string]>(
      "UPDATE accounts SET used_bytes = ?, used_messages = ? WHERE address = ?",
    );
    for (const p of problems) {
      if (p.kind === "refcount") setRef.run(p.actual, p.hash);
      else if (p.kind === "uid-next") raiseUid.run(p.maxUid + 1, p.mailbox, p.account);
      else if (p.kind === "highest-modseq") raiseModseq.run(p.maxModseq, p.mailbox, p.account);
      else if (p.kind === "quota") setQuota.run(p.actualBytes, p.actualMessages, p.account);
      else continue;
      fixed++;
    }
    return fixed;
  });
  return tx.immediate();
}

/** Files under blobs/ whose hash no file-kept blob row names (temporaries included). */
function orphanFiles(db: Database.Database, blobDir: string): string[] {
  const known = db.prepare<[string], { one: number }>(
    "SELECT 1 AS one FROM blobs WHERE hash = ? AND inline = 0",
  );
  const out: string[] = [];
  let subs: string[];
  try {
    subs = readdirSync(blobDir);
  } catch {
    return out;
  }
  for (const sub of subs) {
    let names: string[];
    try {
      names = readdirSync(join(blobDir, sub));
    } catch {
      continue;
    }
    for (const n of names) if (!known.get(n)) out.push(join(blobDir, sub, n));
  }
  return out;
}

/** After a repair dropped unused blobs: their files go, as the server's collect() does. */
function collectTrash(db: Database.Database, blobDir: string): void {
  const trash = db.prepare<[], { hash: string }>("SELECT hash FROM blob_trash").all();
  const row = db.prepare<[string], { one: number }>("SELECT 1 AS one FROM blobs WHERE hash = ?");
  const untrash = db.prepare<[string]>("DELETE FROM blob_trash WHERE hash = ?");
  for (const { hash } of trash) {
    if (!/^[0-9a-f]{64}$/.test(hash)) continue;
    if (!row.get(hash)) {
      try {
        unlinkSync(pathOf(blobDir, hash));
      } catch {
        // Already gone.
      }
    }
    untrash.run(hash);
  }
}
