// MailStore.searchHeader and listEnvelopes on PostgreSQL (issue 17): the per-blob header index of
// the SQLite store (src/store/sqlite/header-index.ts, whose comment says why), table blob_headers
// (schema-search.ts). Rows are filled lazily by the first search of a mailbox after its messages
// arrived, never at delivery, in bounded batches, each batch one short transaction; the values are
// those of indexedHeaderValues (decoded, lower-cased in JS, every occurrence joined with "\n",
// NULL when the field is absent, so that an empty needle means "the field is present").
//
// PostgreSQL text cannot hold NUL: a decoded value's NULs are stored as "\n", the separator, and a
// needle holding either is looked for with NUL as "\n" (a superset) and each candidate verified
// from its header, as a needle with the separator always was.
import type { Envelope } from "../../mime/types.js";
import { StoreError } from "../errors.js";
import {
  DEFAULT_HEADER_INDEX_BATCH,
  HEADER_COLUMN,
  HEADER_SEPARATOR,
  indexedHeaderValues,
} from "../shared/header-index.js";
import type { IndexedHeaderField, MessageEnvelope } from "../types.js";
import type { PgCtx } from "./context.js";
import type { Tx } from "./db.js";

interface PendingRow {
  uid: number;
  blob_id: number;
  hs: number;
  bs: number;
  envelope: string;
  refs: string;
}

/** The header bytes of blob `id` ([hs, bs) of its body), reading only the chunks that hold them. */
export async function headerBytes(
  q: Pick<Tx, "rows">,
  opts: { blobId: number; hs: number; bs: number; chunkBytes: number },
): Promise<Buffer> {
  const { blobId, hs, bs } = opts;
  if (bs <= hs) return Buffer.alloc(0);
  // Chunks are chunkBytes long as written; fewer octets than needed (a body stored under another
  // chunk size) means reading them all.
  const last = Math.floor((bs - 1) / Math.max(1, opts.chunkBytes));
  let rows = await q.rows<{ data: Buffer }>(
    "SELECT data FROM blob_chunks WHERE blob_id = $1 AND seq <= $2 ORDER BY seq",
    [blobId, last],
  );
  let body = rows.length === 1 ? rows[0]!.data : Buffer.concat(rows.map((r) => r.data));
  if (body.length < bs) {
    rows = await q.rows<{ data: Buffer }>("SELECT data FROM blob_chunks WHERE blob_id = $1 ORDER BY seq", [
      blobId,
    ]);
    body = Buffer.concat(rows.map((r) => r.data));
  }
  return body.subarray(hs, bs);
}

const noNul = (s: string) => s.replaceAll("\0", HEADER_SEPARATOR);
const joined = (values: string[]): string | null =>
  values.length === 0 ? null : noNul(values.join(HEADER_SEPARATOR));

export function createHeaderOps(ctx: PgCtx, batchSize = DEFAULT_HEADER_INDEX_BATCH) {
  const db = ctx.db;
  const batch = Math.max(1, Math.floor(batchSize));
  /** Per mailbox: every message with a UID up to this has its row (UIDs only grow, RFC 9051
   *  2.3.1.1), so later passes start after it. Per process; lost on restart: then one scan. */
  const indexedThrough = new Map<number, number>();

  const structPos = (p: string) => `coalesce((b.structure::json -> 'root' ->> '${p}')::bigint, 0)`;
  const headOf = (where: string) =>
    `SELECT m.uid, m.blob_id, ${structPos("headerStart")} AS hs, ${structPos("bodyStart")} AS bs,
       (b.structure::json -> 'envelope')::text AS envelope,
       coalesce((b.structure::json -> 'references')::text, '[]') AS refs
     FROM messages m JOIN blobs b ON b.id = m.blob_id WHERE ${where}`;

  const topOf = async (mailboxId: number): Promise<number> => {
    const r = await db.one<{ ok: boolean; top: number | null }>(
      `SELECT EXISTS (SELECT 1 FROM mailboxes WHERE id = $1) AS ok,
              (SELECT max(uid) FROM messages WHERE mailbox_id = $1) AS top`,
      [mailboxId],
    );
    if (!r?.ok) throw new StoreError("not-found", `no mailbox ${mailboxId}`);
    return r.top ?? 0;
  };

  const valuesOf = async (q: Pick<Tx, "rows">, r: PendingRow) =>
    indexedHeaderValues(
      await headerBytes(q, { blobId: r.blob_id, hs: r.hs, bs: r.bs, chunkBytes: ctx.limits.chunkBytes }),
    );

  /** Writes the missing rows of a mailbox's messages, in batches of `batch` bodies. */
  const ensureIndexed = async (mailboxId: number): Promise<void> => {
    const top = await topOf(mailboxId);
    let cursor = indexedThrough.get(mailboxId) ?? 0;
    if (cursor >= top) return;
    // Bounded: every round moves the cursor past at least one message, and stops at `top`.
    for (;;) {
      const found = await db.rows<PendingRow>(
        `${headOf(`m.mailbox_id = $1 AND m.uid > $2 AND m.uid <= $3
           AND NOT EXISTS (SELECT 1 FROM blob_headers h WHERE h.blob_id = m.blob_id)`)}
         ORDER BY m.uid LIMIT $4`,
        [mailboxId, cursor, top, batch],
      );
      if (found.length === 0) break;
      cursor = found[found.length - 1]!.uid;
      const byBlob = new Map<number, PendingRow>();
      for (const r of found) byBlob.set(r.blob_id, r);
      await db.tx(async (t) => {
        // KEY SHARE: a body expunged meanwhile is either gone (skipped) or waits for this commit.
        // In ascending id, the order blob_refs locks them in (schema-mail.ts), so this waits for
        // an EXPUNGE rather than deadlocking with it.
        const live = await t.rows<{ id: number }>(
          "SELECT id FROM blobs WHERE id = ANY($1) ORDER BY id FOR KEY SHARE",
          [[...byBlob.keys()]],
        );
        const cols: (number | string | null)[][] = [[], [], [], [], [], [], [], []];
        for (const { id } of live) {
          const r = byBlob.get(id)!;
          const v = await valuesOf(t, r);
          const row = [
            id,
            joined(v.FROM),
            joined(v.TO),
            joined(v.CC),
            joined(v.BCC),
            joined(v.SUBJECT),
            r.envelope,
            r.refs,
          ];
          for (let i = 0; i < row.length; i++) cols[i]!.push(row[i]!);
        }
        // DO NOTHING: a concurrent search (another node's) may have indexed the same body first.
        await t.run(
          `INSERT INTO blob_headers (blob_id, h_from, h_to, h_cc, h_bcc, h_subject, envelope, refs)
           SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
             $7::text[], $8::text[])
           ON CONFLICT (blob_id) DO NOTHING`,
          cols,
        );
      });
      if (found.length < batch) break;
    }
    indexedThrough.set(mailboxId, Math.max(top, indexedThrough.get(mailboxId) ?? 0));
  };

  return {
    async searchHeader(mailboxId: number, field: IndexedHeaderField, text: string): Promise<number[]> {
      const column = HEADER_COLUMN[field];
      if (!column) throw new StoreError("invalid", `not an indexed header field: ${String(field)}`);
      await ensureIndexed(mailboxId);
      const needle = text.toLowerCase();
      // strpos(NULL, x) is NULL and strpos(v, '') is 1: an empty needle selects the rows with the field.
      const found = (
        await db.rows<{ uid: number }>(
          `SELECT m.uid FROM messages m JOIN blob_headers h ON h.blob_id = m.blob_id
           WHERE m.mailbox_id = $1 AND strpos(h.${column}, $2) > 0 ORDER BY m.uid`,
          [mailboxId, noNul(needle)],
        )
      ).map((r) => r.uid);
      if (!needle.includes(HEADER_SEPARATOR) && !needle.includes("\0")) return found;
      // The needle could span two occurrences in the joined column: check each candidate's fields.
      const out: number[] = [];
      for (const uid of found) {
        const r = await db.one<PendingRow>(headOf("m.mailbox_id = $1 AND m.uid = $2"), [mailboxId, uid]);
        if (r && (await valuesOf(db, r))[field].some((v) => v.includes(needle))) out.push(uid);
      }
      return out;
    },

    async listEnvelopes(
      mailboxId: number,
      opts?: { minUid?: number; maxUid?: number },
    ): Promise<MessageEnvelope[]> {
      await ensureIndexed(mailboxId);
      const found = await db.rows<{ uid: number; envelope: string; refs: string }>(
        `SELECT m.uid, h.envelope, h.refs FROM messages m JOIN blob_headers h ON h.blob_id = m.blob_id
         WHERE m.mailbox_id = $1 AND m.uid BETWEEN $2 AND $3 ORDER BY m.uid`,
        [mailboxId, opts?.minUid ?? 1, opts?.maxUid ?? Number.MAX_SAFE_INTEGER],
      );
      return found.map((r) => ({
        uid: r.uid,
        envelope: JSON.parse(r.envelope) as Envelope,
        references: JSON.parse(r.refs) as string[],
      }));
    },
  };
}
