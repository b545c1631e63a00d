// What an IMAP session reads to show a mailbox, on PostgreSQL, each in one autocommit statement:
//  - selectMailbox (SELECT/EXAMINE): the mailbox by name, its messages' UID, MODSEQ and flags,
//    and the \Recent claim. They were four round trips (the mailbox, the listing, the claim, the
//    mailbox again to see whether it had changed meanwhile), the most of any command in
//    bench:imap's mixed load (docs/ARCHITECTURE.md, PostgreSQL store);
//  - listNew (a report of new messages, after every APPEND and delivery a session is told of):
//    the messages above the UIDs the session knows, and the claim when there are any (two).
// One statement sees one snapshot, so a listing is exactly the state of the counters read with it.
//
// The claim is claimRecent's compare and set (mailboxes.ts) as a data-modifying CTE: it moves
// first_recent_uid to the snapshot's uid_next only if no other session moved it since the
// snapshot; when there is nothing to claim it neither locks nor writes (no commit to flush). A
// claim lost to another session falls back to claimRecent, which reads again.
//
// Each statement returns a head row (the counters, the message columns null) and the messages
// (the counters null). A statement with a data-modifying CTE never runs in parallel, so the Append
// returns its branches in order and the second keeps its ORDER BY; but SQL promises neither, and
// reading the first row as the head made a misordered result read as "no mailbox". So the rows
// are not taken by position (splitListing): the head is the row that has the counters, wherever
// it is; two heads, or a UID twice, is an error; messages out of UID order are sorted (a wrong
// order would make IMAP number messages wrongly).
import { StoreError } from "../errors.js";
import { normalizeMailboxName } from "../shared/mailbox-name.js";
import type { MailboxSelection, MailStore, MessageFlags, RecentClaim } from "../types.js";
import type { PgCtx } from "./context.js";
import { type FlagsOf, MAILBOX_COLUMNS, type MailboxRow, toMailbox } from "./rows.js";

/** $1 account, $2 name, $3 claim. */
const SELECT_SQL = `WITH b AS (SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = $1 AND name = $2),
  u AS (UPDATE mailboxes m SET first_recent_uid = b.uid_next FROM b
        WHERE $3::boolean AND m.id = b.id AND b.first_recent_uid < b.uid_next
          AND m.first_recent_uid = b.first_recent_uid
        RETURNING m.id)
SELECT b.*, EXISTS (SELECT 1 FROM u) AS claimed,
  NULL::bigint AS uid, NULL::bigint AS modseq, NULL::integer AS sys_flags, NULL::text AS keywords FROM b
UNION ALL
(SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   m.uid, m.modseq, m.sys_flags, m.keywords
 FROM messages m WHERE m.mailbox_id = (SELECT id FROM b) ORDER BY m.uid)`;

/** $1 mailbox, $2 lowest UID, $3 claim (made only when there are such messages). */
const LIST_NEW_SQL = `WITH b AS (SELECT first_recent_uid, uid_next FROM mailboxes WHERE id = $1),
  l AS (SELECT uid, modseq, sys_flags, keywords FROM messages WHERE mailbox_id = $1 AND uid >= $2),
  u AS (UPDATE mailboxes m SET first_recent_uid = b.uid_next FROM b
        WHERE $3::boolean AND m.id = $1 AND b.first_recent_uid < b.uid_next
          AND m.first_recent_uid = b.first_recent_uid AND EXISTS (SELECT 1 FROM l)
        RETURNING m.id)
SELECT b.first_recent_uid, b.uid_next, EXISTS (SELECT 1 FROM u) AS claimed,
  NULL::bigint AS uid, NULL::bigint AS modseq, NULL::integer AS sys_flags, NULL::text AS keywords FROM b
UNION ALL
(SELECT NULL, NULL, NULL, l.uid, l.modseq, l.sys_flags, l.keywords FROM l ORDER BY l.uid)`;

interface FlagRow {
  uid: number;
  modseq: number;
  sys_flags: number;
  keywords: string;
}
interface Counters {
  first_recent_uid: number;
  uid_next: number;
  claimed: boolean;
}

/** A listing statement's rows split by what they hold, not by position: the head row (null when
 *  there is none: no such mailbox) and the message rows in ascending UID order (sorted when they
 *  came otherwise). StoreError("invalid") for two head rows or a UID twice (never from our SQL). */
export function splitListing<H extends object, F extends { uid: number }>(
  rows: readonly (H | F)[],
  isHead: (r: H | F) => r is H,
): { head: H | null; messages: F[] } {
  let head: H | null = null;
  const messages: F[] = [];
  let ordered = true;
  let last = 0;
  for (const r of rows) {
    if (isHead(r)) {
      if (head !== null) throw new StoreError("invalid", "mailbox listing with two head rows");
      head = r;
      continue;
    }
    if (r.uid <= last) ordered = false;
    last = r.uid;
    messages.push(r);
  }
  if (!ordered) {
    messages.sort((a, b) => a.uid - b.uid);
    for (let i = 1; i < messages.length; i++)
      if (messages[i]!.uid === messages[i - 1]!.uid)
        throw new StoreError("invalid", "mailbox listing with a UID twice");
  }
  return { head, messages };
}

const toFlags = (rows: readonly FlagRow[], flagsOf: FlagsOf): MessageFlags[] =>
  rows.map((r) => ({ uid: r.uid, modseq: r.modseq, flags: flagsOf(r.sys_flags, r.keywords) }));

type SelectHead = MailboxRow & { claimed: boolean };
type SelectMessage = { id: null } & FlagRow;
const isSelectHead = (r: SelectHead | SelectMessage): r is SelectHead => r.id !== null;
type NewMessage = { uid_next: null } & FlagRow;
const isNewHead = (r: Counters | NewMessage): r is Counters => r.uid_next !== null;

export function createSelectOps(
  ctx: PgCtx,
  deps: {
    /** The shared, frozen flag list of a row (rows.ts flagListCache). */
    flagsOf: FlagsOf;
    claimRecent: MailStore["claimRecent"];
  },
): Pick<MailStore, "selectMailbox" | "listNew"> {
  /** The claim the statement made, saw nothing to make, or lost to another session (then
   *  claimRecent claims what is left). */
  const claimOf = async (mailboxId: number, c: Counters, recent: "claim" | "peek"): Promise<RecentClaim> => {
    const range = { from: c.first_recent_uid, to: c.uid_next - 1 };
    if (recent === "peek" || c.claimed || range.from > range.to) return range;
    return deps.claimRecent(mailboxId);
  };

  return {
    async selectMailbox(accountId, name, opts): Promise<MailboxSelection | null> {
      ctx.assertOpen();
      let n: string;
      try {
        n = normalizeMailboxName(name, ctx.limits.mailboxNameMaxBytes);
      } catch {
        return null; // not a name a mailbox can have: as getMailbox
      }
      if (!Number.isSafeInteger(accountId)) return null;
      const rows = await ctx.db.rows<SelectHead | SelectMessage>(SELECT_SQL, [
        accountId,
        n,
        opts.recent === "claim",
      ]);
      const listing = splitListing<SelectHead, SelectMessage>(rows, isSelectHead);
      const box = listing.head;
      if (box === null) return null;
      const messages = toFlags(listing.messages, deps.flagsOf);
      const mailbox = toMailbox(box);
      if (opts.recent === "none") return { mailbox, messages, recent: null };
      try {
        return { mailbox, messages, recent: await claimOf(box.id, box, opts.recent) };
      } catch (e) {
        if (e instanceof StoreError && e.code === "not-found") return null; // deleted meanwhile
        throw e;
      }
    },

    async listNew(mailboxId, opts) {
      ctx.assertOpen();
      if (!Number.isSafeInteger(mailboxId) || mailboxId <= 0)
        throw new StoreError("not-found", `no mailbox ${mailboxId}`);
      if (Number.isNaN(opts.minUid)) throw new StoreError("invalid", "invalid UID range");
      const minUid = Math.max(0, Math.min(opts.minUid, Number.MAX_SAFE_INTEGER));
      const rows = await ctx.db.rows<Counters | NewMessage>(LIST_NEW_SQL, [
        mailboxId,
        minUid,
        opts.recent === "claim",
      ]);
      const { head, messages: found } = splitListing<Counters, NewMessage>(rows, isNewHead);
      if (head === null) throw new StoreError("not-found", `no mailbox ${mailboxId}`);
      const messages = toFlags(found, deps.flagsOf);
      if (messages.length === 0 || opts.recent === "none") return { messages, recent: null };
      return { messages, recent: await claimOf(mailboxId, head, opts.recent) };
    },
  };
}
