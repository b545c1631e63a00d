// Message bodies in PostgreSQL (issue 17), content-addressed by SHA-256 as in the SQLite store
// (the hash is the contract's blobId) and stored once however many messages and queue entries
// name them. The body is in blob_chunks: one row when it fits ctx.limits.chunkBytes, otherwise
// chunks of that size, so no single value approaches PostgreSQL's 1 GB field limit and a node
// needs no shared filesystem.
//
// References: blobs.refcount counts the rows that name the blob, kept by triggers through the SQL
// function blob_ref(id, delta) (schema-mail.ts): the messages triggers call it, and the queue's own
// triggers (schema-accounts.ts, P3) call it the same way for queue rows. A blob reaching 0 is
// deleted with its chunks in the same transaction. storeBlob() returns a blob that is referenced
// by nothing yet: the caller must insert the referencing row in the same transaction (or the
// blob stays with refcount 0 until some later message of the same body references it).
//
// Concurrency: storeBlob locks the blob row (FOR NO KEY UPDATE, the lock blob_ref's UPDATE takes
// anyway), so a transaction that drops the last reference of the same body on another node either
// commits before (we see no row and insert a fresh one) or waits for us (it sees our reference).
import type { MessageStructure } from "../../mime/types.js";
import { StoreError } from "../errors.js";
import { hashBody } from "../shared/body-hash.js";
import { firstId, threadRefs } from "../shared/thread-refs.js";
import type { PgCtx } from "./context.js";
import type { Tx } from "./db.js";

const HASH_RE = /^[0-9a-f]{64}$/;

export interface StoredBlob {
  id: number;
  hash: string;
  size: number;
  /** The body's Message-ID, normalised to "<id>", or null. */
  msgid: string | null;
  /** Message-IDs of References and In-Reply-To (thread ancestors), normalised. */
  refs: string[];
  /** True if this call inserted it (and parsed it). */
  created: boolean;
}

/** A loser of an insert race retries the lookup; two rounds always settle it (the winner committed). */
const STORE_ATTEMPTS = 3;

export interface StoreBlobOptions {
  /** sha256 of the body, when the caller has it already. */
  hash?: string;
  /** Try the INSERT before the look-up (one round trip fewer for a new body, the common case of a
   *  delivery; the body is parsed first even if it turns out to be stored already). */
  insertFirst?: boolean;
}

/**
 * Inside a transaction: the blob row of this body, inserted (parsed once, chunked) if new, and
 * locked until the transaction ends.
 */
export async function storeBlob(
  t: Tx,
  body: Buffer,
  ctx: Pick<PgCtx, "parse" | "limits">,
  opts: StoreBlobOptions = {},
): Promise<StoredBlob> {
  const hash = opts.hash ?? hashBody(body);
  const chunk = Math.max(1, ctx.limits.chunkBytes);
  let lookFirst = opts.insertFirst !== true;
  for (let attempt = 0; attempt < STORE_ATTEMPTS; attempt++) {
    if (lookFirst) {
      const row = await t.one<{ id: number; size: number; msgid: string | null; refs: string }>(
        "SELECT id, size, msgid, refs FROM blobs WHERE hash = $1 FOR NO KEY UPDATE",
        [hash],
      );
      if (row) {
        const refs = JSON.parse(row.refs) as string[];
        return { id: row.id, hash, size: row.size, msgid: row.msgid, refs, created: false };
      }
    }
    lookFirst = true;
    const structure = ctx.parse(body);
    const msgid = firstId(structure.envelope.messageId);
    const refs = threadRefs(structure);
    // ON CONFLICT DO NOTHING: a concurrent insert of the same body waits for the other
    // transaction; if it committed, we get no row and read the winner's on the next round. The
    // first chunk goes in the same statement.
    const ins = await t.one<{ id: number }>(
      `WITH b AS (
         INSERT INTO blobs (hash, size, refcount, msgid, refs, structure) VALUES ($1, $2, 0, $3, $4, $5)
         ON CONFLICT (hash) DO NOTHING RETURNING id)
       INSERT INTO blob_chunks (blob_id, seq, data) SELECT id, 0, $6 FROM b RETURNING blob_id AS id`,
      [
        hash,
        body.length,
        msgid,
        JSON.stringify(refs),
        JSON.stringify(structure),
        body.length <= chunk ? body : body.subarray(0, chunk),
      ],
    );
    if (!ins) continue;
    for (let seq = 1, off = chunk; off < body.length; seq++, off += chunk) {
      await t.run("INSERT INTO blob_chunks (blob_id, seq, data) VALUES ($1, $2, $3)", [
        ins.id,
        seq,
        body.subarray(off, Math.min(off + chunk, body.length)),
      ]);
    }
    return { id: ins.id, hash, size: body.length, msgid, refs, created: true };
  }
  throw new StoreError("invalid", `could not store blob ${hash}`);
}

/** The body of blob `id`, chunks joined; StoreError "not-found" if there is none. */
export async function readBlob(q: Pick<Tx, "rows">, id: number): Promise<Buffer> {
  const rows = await q.rows<{ data: Buffer }>(
    "SELECT data FROM blob_chunks WHERE blob_id = $1 ORDER BY seq",
    [id],
  );
  if (rows.length === 0) throw new StoreError("not-found", `no blob ${id}`);
  return rows.length === 1 ? rows[0]!.data : Buffer.concat(rows.map((r) => r.data));
}

/** The body whose hash (the contract's blobId) is `hash`. */
export async function readBlobByHash(q: Pick<Tx, "rows">, hash: string): Promise<Buffer> {
  if (!HASH_RE.test(hash)) throw new StoreError("not-found", `no blob ${hash}`);
  const rows = await q.rows<{ data: Buffer }>(
    `SELECT c.data FROM blobs b JOIN blob_chunks c ON c.blob_id = b.id WHERE b.hash = $1 ORDER BY c.seq`,
    [hash],
  );
  if (rows.length === 0) throw new StoreError("not-found", `no blob ${hash}`);
  return rows.length === 1 ? rows[0]!.data : Buffer.concat(rows.map((r) => r.data));
}

/** The parsed structure stored with blob `id` (parsed once, at its first store). */
export async function blobStructure(q: Pick<Tx, "one">, id: number): Promise<MessageStructure> {
  const row = await q.one<{ structure: string }>("SELECT structure FROM blobs WHERE id = $1", [id]);
  if (!row) throw new StoreError("not-found", `no blob ${id}`);
  return JSON.parse(row.structure) as MessageStructure;
}
