// A per-body index of the header fields IMAP SEARCH asks for most (FROM, TO, CC, BCC, SUBJECT) and
// of what SORT and THREAD need (envelope, References), so neither has to load and parse every
// message of a large mailbox on each command (RFC 9051 6.4.4, RFC 5256).
//
// Rows are keyed by blob, so a body filed in several mailboxes is indexed once, and go away with
// their blob: blobs are only ever deleted row by row (the blobs_unref trigger in schema.ts), which
// fires the ON DELETE CASCADE (foreign_keys is ON, db.ts). Blob ids may be reused once deleted, so
// a row is only written while its blob still has the hash it was read under.
//
// Rows are filled lazily, by the first search of a mailbox after its messages arrived, never at
// delivery (SMTP stays as fast as it was): the missing rows are computed from the stored header in
// bounded batches, each one group-committed write. Values are what evaluate.ts matched before the
// index existed: every occurrence of the field, RFC 2047-decoded (decodeHeaderValue), lower-cased
// in JS (SQLite's lower() is ASCII-only), joined with "\n"; NULL when the field is absent, so that
// an empty needle means "the field is present".
import { open } from "node:fs/promises";
import type { Envelope } from "../../mime/types.js";
import {
  DEFAULT_HEADER_INDEX_BATCH,
  HEADER_COLUMN,
  HEADER_SEPARATOR,
  indexedHeaderValues,
} from "../shared/header-index.js";
import type { IndexedHeaderField, MessageEnvelope } from "../types.js";
import type { Ctx } from "./context.js";
import type { MailboxRows } from "./mailboxes.js";

export const headerIndexMigration = `
CREATE TABLE blob_headers (
  blob_id INTEGER PRIMARY KEY REFERENCES blobs(id) ON DELETE CASCADE,
  h_from TEXT,
  h_to TEXT,
  h_cc TEXT,
  h_bcc TEXT,
  h_subject TEXT,
  envelope TEXT,
  refs TEXT
);
`;

/** The address fields' values gained their parsed normal form (headerSearchValues): rows written
 *  before lack it and would miss "user@host" in "<user (c)@ (c) host>". They go; the next search
 *  of each mailbox writes them again, in batches, as for new mail. */
export const headerIndexRefreshMigration = "DELETE FROM blob_headers;";

// Re-exported for this store's index.ts.
export { DEFAULT_HEADER_INDEX_BATCH, indexedHeaderValues } from "../shared/header-index.js";

const FIELDS: readonly IndexedHeaderField[] = ["FROM", "TO", "CC", "BCC", "SUBJECT"];

interface PendingRow {
  uid: number;
  blob_id: number;
  hash: string;
  inline: number;
  hs: number;
  bs: number;
  head: Buffer | null;
}

export function createHeaderIndexOps(ctx: Ctx, rows: MailboxRows, batchSize = DEFAULT_HEADER_INDEX_BATCH) {
  const db = ctx.db;
  const batch = Math.max(1, Math.floor(batchSize));
  const structPos = (p: string) => `coalesce(json_extract(b.structure, '$.root.${p}'), 0)`;
  // A message's body, where its header lies, and the header bytes themselves when inline (PendingRow).
  const headOfMessages = `SELECT m.uid, m.blob_id, b.hash, b.inline, ${structPos("headerStart")} AS hs,
         ${structPos("bodyStart")} AS bs,
         CASE WHEN b.inline = 1 THEN substr(d.data, ${structPos("headerStart")} + 1,
           ${structPos("bodyStart")} - ${structPos("headerStart")}) END AS head
       FROM messages m JOIN blobs b ON b.id = m.blob_id LEFT JOIN blob_data d ON d.blob_id = b.id`;
  const s = {
    maxUid: db.prepare<[number], number | null>("SELECT max(uid) FROM messages WHERE mailbox_id = ?"),
    // The next messages (by UID) whose body has no row yet, with the header bytes of inline bodies.
    pending: db.prepare<[number, number, number, number], PendingRow>(
      `${headOfMessages}
       WHERE m.mailbox_id = ? AND m.uid > ? AND m.uid <= ?
         AND NOT EXISTS (SELECT 1 FROM blob_headers h WHERE h.blob_id = m.blob_id)
       ORDER BY m.uid LIMIT ?`,
    ),
    // OR IGNORE: a concurrent search may have indexed the same body first.
    insert: db.prepare<
      [string | null, string | null, string | null, string | null, string | null, number, string]
    >(
      `INSERT OR IGNORE INTO blob_headers (blob_id, h_from, h_to, h_cc, h_bcc, h_subject, envelope, refs)
       SELECT id, ?, ?, ?, ?, ?, json_extract(structure, '$.envelope'), json_extract(structure, '$.references')
       FROM blobs WHERE id = ? AND hash = ?`,
    ),
    // instr(NULL, x) is NULL and instr(v, '') is 1: an empty needle selects the rows with the field.
    search: new Map(
      FIELDS.map((f) => {
        const st = db.prepare<[number, string], number>(
          `SELECT m.uid FROM messages m JOIN blob_headers h ON h.blob_id = m.blob_id
           WHERE m.mailbox_id = ? AND instr(h.${HEADER_COLUMN[f]}, ?) > 0 ORDER BY m.uid`,
        );
        st.pluck(true);
        return [f, st] as const;
      }),
    ),
    headOf: db.prepare<[number, number], PendingRow>(
      `${headOfMessages} WHERE m.mailbox_id = ? AND m.uid = ?`,
    ),
    envelopes: db.prepare<[number, number, number], [number, string | null, string | null]>(
      `SELECT m.uid, h.envelope, h.refs FROM messages m JOIN blob_headers h ON h.blob_id = m.blob_id
       WHERE m.mailbox_id = ? AND m.uid BETWEEN ? AND ? ORDER BY m.uid`,
    ),
  };
  s.maxUid.pluck(true);
  s.envelopes.raw(true);

  /** Per mailbox: every message with a UID up to this has its row (UIDs only grow: RFC 9051 2.3.1.1,
   *  and MOVE/COPY give new ones), so later passes start after it. Lost on reopen: then one scan. */
  const indexedThrough = new Map<number, number>();

  /** The header bytes of a body: inline ones come with the row, files are read up to bodyStart. */
  const headerBytes = async (r: PendingRow): Promise<Buffer> => {
    if (r.inline === 1) return r.head ?? Buffer.alloc(0);
    const len = Math.max(0, r.bs - r.hs);
    const fh = await open(ctx.blobs.pathOf(r.hash), "r");
    try {
      const buf = Buffer.alloc(len);
      const { bytesRead } = await fh.read(buf, 0, len, r.hs);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  };

  const joined = (values: string[]): string | null =>
    values.length === 0 ? null : values.join(HEADER_SEPARATOR);

  /** Writes the missing rows of a mailbox's messages, in batches of `batch` bodies. */
  const ensureIndexed = async (mailboxId: number): Promise<void> => {
    const top = ctx.read(() => {
      rows.mustExist(mailboxId);
      return s.maxUid.get(mailboxId) ?? 0;
    });
    let cursor = indexedThrough.get(mailboxId) ?? 0;
    if (cursor >= top) return;
    // Bounded: every round moves the cursor past at least one message, and stops at `top`.
    for (;;) {
      const from = cursor;
      const found = ctx.read(() => s.pending.all(mailboxId, from, top, batch));
      if (found.length === 0) break;
      cursor = found[found.length - 1]!.uid;
      const byBlob = new Map<number, PendingRow>();
      for (const r of found) byBlob.set(r.blob_id, r);
      const entries = await Promise.all(
        [...byBlob.values()].map(async (r) => ({ r, v: indexedHeaderValues(await headerBytes(r)) })),
      );
      await ctx.grouped(() => {
        for (const { r, v } of entries) {
          s.insert.run(
            joined(v.FROM),
            joined(v.TO),
            joined(v.CC),
            joined(v.BCC),
            joined(v.SUBJECT),
            r.blob_id,
            r.hash,
          );
        }
        return { value: undefined };
      });
      if (found.length < batch) break;
    }
    indexedThrough.set(mailboxId, Math.max(top, indexedThrough.get(mailboxId) ?? 0));
  };

  return {
    async searchHeader(mailboxId: number, field: IndexedHeaderField, text: string): Promise<number[]> {
      const st = s.search.get(field);
      if (!st) throw new Error(`not an indexed header field: ${String(field)}`);
      await ensureIndexed(mailboxId);
      const needle = text.toLowerCase();
      const found = ctx.read(() => st.all(mailboxId, needle));
      if (!needle.includes(HEADER_SEPARATOR)) return found;
      // The needle could span two occurrences in the joined column: check each candidate's fields.
      const out: number[] = [];
      for (const uid of found) {
        const r = ctx.read(() => s.headOf.get(mailboxId, uid));
        if (r && indexedHeaderValues(await headerBytes(r))[field].some((v) => v.includes(needle))) {
          out.push(uid);
        }
      }
      return out;
    },

    async listEnvelopes(
      mailboxId: number,
      opts?: { minUid?: number; maxUid?: number },
    ): Promise<MessageEnvelope[]> {
      await ensureIndexed(mailboxId);
      return ctx.read(() => {
        rows.mustExist(mailboxId);
        const found = s.envelopes.all(mailboxId, opts?.minUid ?? 1, opts?.maxUid ?? Number.MAX_SAFE_INTEGER);
        const out = new Array<MessageEnvelope>(found.length);
        for (let i = 0; i < found.length; i++) {
          const [uid, env, refs] = found[i]!;
          out[i] = {
            uid,
            envelope: JSON.parse(env ?? "null") as Envelope,
            references: JSON.parse(refs ?? "[]") as string[],
          };
        }
        return out;
      });
    },
  };
}
