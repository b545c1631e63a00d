// Lean reads of a mailbox's flags, for IMAP paths that need no more than UID, MODSEQ and FLAGS
// (FETCH (UID FLAGS), flag updates to other sessions, EXPUNGE's \Deleted lookup, SELECT): they
// read the messages table alone, without the join to blobs and the Date objects of MessageMeta.
// \Deleted has a partial index (v5 migration, below) so that EXPUNGE / CLOSE cost grows with the
// messages to remove, not with the mailbox. A partial index is only used when the query repeats its
// WHERE term literally (a bound parameter does not match), hence one statement per system flag.
// listFlags answers from the in-memory copies of flag-cache.ts when it has one.
import { StoreError } from "../errors.js";
import { DELETED_BIT, flagList, parseFlags, SYSTEM_FLAG_BITS } from "../shared/flags.js";
import type { MessageFlags } from "../types.js";
import type { Ctx, FlagRow } from "./context.js";
import { FlagCache, MailboxFlagCopy } from "./flag-cache.js";
import type { MailboxRows } from "./mailboxes.js";

/** Flag lists are shared between messages, and frozen, since most messages have one of a few. */
class FlagLists {
  private readonly plain: (string[] | undefined)[] = [];
  private readonly withKeywords = new Map<string, string[]>();

  get(bits: number, keywords: string): string[] {
    if (keywords === "") {
      let l = this.plain[bits];
      if (!l) {
        l = Object.freeze(flagList(bits, "")) as string[];
        this.plain[bits] = l;
      }
      return l;
    }
    const key = `${bits} ${keywords}`;
    let l = this.withKeywords.get(key);
    if (!l) {
      // Bounded: a mailbox could hold many distinct keyword sets.
      if (this.withKeywords.size >= MAX_SHARED_KEYWORD_LISTS) this.withKeywords.clear();
      l = Object.freeze(flagList(bits, keywords)) as string[];
      this.withKeywords.set(key, l);
    }
    return l;
  }
}

const MAX_SHARED_KEYWORD_LISTS = 1024;
/** A copy this far behind (changed rows per message held) is read again whole instead. */
const REFRESH_MAX_FRACTION = 0.5;

export const deletedIndexMigration = `
CREATE INDEX IF NOT EXISTS messages_deleted ON messages(mailbox_id, uid) WHERE (sys_flags & ${DELETED_BIT}) <> 0;
`;

export function createFlagListOps(ctx: Ctx, rows: MailboxRows, cacheMessages: number) {
  const db = ctx.db;
  const list = db.prepare<[number, number, number], FlagRow>(
    "SELECT uid, modseq, sys_flags, keywords FROM messages WHERE mailbox_id = ? AND uid BETWEEN ? AND ? ORDER BY uid",
  );
  list.raw(true);
  const highestModseq = db.prepare<[number], number>("SELECT highest_modseq FROM mailboxes WHERE id = ?");
  highestModseq.pluck(true);
  const changedSince = db.prepare<[number, number], FlagRow>(
    "SELECT uid, modseq, sys_flags, keywords FROM messages WHERE mailbox_id = ? AND modseq > ? ORDER BY uid",
  );
  changedSince.raw(true);
  const goneSince = db.prepare<[number, number], number>(
    "SELECT uid FROM expunged WHERE mailbox_id = ? AND modseq > ?",
  );
  goneSince.pluck(true);
  const cache = cacheMessages > 0 ? new FlagCache(cacheMessages) : null;
  const lists = new FlagLists();
  // This process's own writes update a copy that was current when they began (Ctx.flagCopies,
  // called right after their COMMIT): without it, the session's next read after each STORE,
  // APPEND or EXPUNGE found its copy one change behind and read the changed rows and the
  // expunged UIDs back (3 statements instead of 1; a quarter of IMAP's mixed-load operations).
  // A copy at any other MODSEQ (another process wrote, or it was not current) is left to the
  // reads above, which compare it with the database.
  if (cache) {
    ctx.flagCopies = {
      written(mailboxId, before, after, changed, removed) {
        const copy = cache.get(mailboxId);
        if (!copy || copy.modseq !== before) return;
        copy.remove(removed);
        for (const [uid, modseq, bits, keywords] of changed) copy.upsert(uid, modseq, bits, keywords);
        copy.modseq = after;
        cache.put(mailboxId, copy); // counted again: it may have grown
      },
    };
  }

  /** The mailbox's copy brought up to date with `highest`; a whole read makes one only if
   *  `whole` (a range read of an uncached mailbox stays a range read). */
  const current = (mailboxId: number, highest: number, whole: boolean): MailboxFlagCopy | undefined => {
    if (!cache) return undefined;
    const copy = cache.get(mailboxId);
    if (copy && copy.modseq === highest) return copy;
    if (copy && copy.modseq < highest) {
      const changed = changedSince.all(mailboxId, copy.modseq);
      if (changed.length <= 64 + copy.size * REFRESH_MAX_FRACTION) {
        copy.remove(goneSince.all(mailboxId, copy.modseq));
        for (const [uid, modseq, bits, keywords] of changed) copy.upsert(uid, modseq, bits, keywords);
        copy.modseq = highest;
        cache.put(mailboxId, copy); // counted again: it may have grown
        return copy;
      }
    }
    if (!whole && !copy) return undefined;
    const fresh = new MailboxFlagCopy(highest);
    for (const [uid, modseq, bits, keywords] of list.all(mailboxId, 1, Number.MAX_SAFE_INTEGER)) {
      fresh.push(uid, modseq, bits, keywords);
    }
    cache.put(mailboxId, fresh);
    return fresh;
  };
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
        const highest = highestModseq.get(mailboxId);
        if (highest === undefined) {
          cache?.drop(mailboxId);
          throw new StoreError("not-found", `no mailbox ${mailboxId}`);
        }
        const minUid = opts?.minUid ?? 1;
        const maxUid = opts?.maxUid ?? Number.MAX_SAFE_INTEGER;
        const copy = current(mailboxId, highest, minUid <= 1 && maxUid === Number.MAX_SAFE_INTEGER);
        if (copy) {
          const lo = copy.lowerBound(minUid);
          const hi = maxUid >= Number.MAX_SAFE_INTEGER ? copy.size : copy.lowerBound(maxUid + 1);
          const out = new Array<MessageFlags>(Math.max(0, hi - lo));
          for (let i = lo; i < hi; i++) {
            const flags = lists.get(copy.bits[i]!, copy.keywords[i]!);
            out[i - lo] = { uid: copy.uids[i]!, modseq: copy.modseqs[i]!, flags };
          }
          return out;
        }
        const found = list.all(mailboxId, minUid, maxUid);
        const out = new Array<MessageFlags>(found.length);
        for (let i = 0; i < found.length; i++) {
          const [uid, modseq, bits, keywords] = found[i]!;
          out[i] = { uid, modseq, flags: lists.get(bits, keywords) };
        }
        return out;
      });
    },

    async uidsWithFlag(mailboxId: number, flag: string): Promise<number[]> {
      // Same validation and case-insensitivity as setFlags: an unknown "\X" is StoreError("invalid").
      const { bits, keywords } = parseFlags([flag]);
      return ctx.read(() => {
        rows.mustExist(mailboxId);
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
