// Lean reads of a mailbox's flags, for IMAP paths that need no more than UID, MODSEQ and FLAGS
// (FETCH (UID FLAGS), flag updates to other sessions, EXPUNGE's \Deleted lookup, SELECT): they
// read the messages table alone, without the join to blobs and the Date objects of MessageMeta.
// \Deleted has a partial index (v5 migration, below) so that EXPUNGE / CLOSE cost grows with the
// messages to remove, not with the mailbox. A partial index is only used when the query repeats its
// WHERE term literally (a bound parameter does not match), hence one statement per system flag.
import type { MessageFlags } from "../types.js";
import type { Ctx } from "./context.js";
import { DELETED_BIT, flagList, parseFlags, SYSTEM_FLAG_BITS } from "./flags.js";
import type { MailboxRows } from "./mailboxes.js";

export const deletedIndexMigration = `
CREATE INDEX IF NOT EXISTS messages_deleted ON messages(mailbox_id, uid) WHERE (sys_flags & ${DELETED_BIT}) <> 0;
`;

export function createFlagListOps(ctx: Ctx, rows: MailboxRows) {
  const db = ctx.db;
  const list = db.prepare<[number, number, number], [number, number, number, string]>(
    "SELECT uid, modseq, sys_flags, keywords FROM messages WHERE mailbox_id = ? AND uid BETWEEN ? AND ? ORDER BY uid",
  );
  list.raw(true);
  const keywordRows = db.prepare<[number], [number, string]>(
    "SELECT uid, keywords FROM messages WHERE mailbox_id = ? AND keywords <> '' ORDER BY uid",
  );
  keywordRows.raw(true);
  const bySystemBit = new Map(
    SYSTEM_FLAG_BITS.map((bit) => {
      const st = db.prepare<[number], number>(
        `SELECT uid FROM messages WHERE mailbox_id = ? AND (sys_flags & ${bit}) <> 0 ORDER BY uid`,
      );
      st.pluck(true);
      return [bit, st] as const;
    }),
  );

  return {
    async listFlags(mailboxId: number, opts?: { minUid?: number; maxUid?: number }): Promise<MessageFlags[]> {
      return ctx.read(() => {
        rows.must(mailboxId);
        const found = list.all(mailboxId, opts?.minUid ?? 1, opts?.maxUid ?? Number.MAX_SAFE_INTEGER);
        const out = new Array<MessageFlags>(found.length);
        for (let i = 0; i < found.length; i++) {
          const [uid, modseq, bits, keywords] = found[i]!;
          out[i] = { uid, modseq, flags: flagList(bits, keywords) };
        }
        return out;
      });
    },

    async uidsWithFlag(mailboxId: number, flag: string): Promise<number[]> {
      // Same validation and case-insensitivity as setFlags: an unknown "\X" is StoreError("invalid").
      const { bits, keywords } = parseFlags([flag]);
      return ctx.read(() => {
        rows.must(mailboxId);
        if (bits !== 0) return bySystemBit.get(bits)!.all(mailboxId);
        const want = keywords[0]?.toLowerCase();
        if (want === undefined) return []; // \Recent: a session flag, never stored
        const out: number[] = [];
        for (const [uid, kw] of keywordRows.iterate(mailboxId)) {
          if (kw.split(" ").some((k) => k.toLowerCase() === want)) out.push(uid);
        }
        return out;
      });
    },
  };
}
