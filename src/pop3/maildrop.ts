// The maildrop of one POP3 session: a snapshot of the account's INBOX taken at login.
// Invariants:
//  - Message numbers (1..n) and sizes are fixed for the life of the session (RFC 1939 §5);
//    messages delivered later appear in the next session.
//  - Sizes are the message's own octets, CRLF line ends, unstuffed (RFC 1939 §11; what a client
//    has after un-stuffing RETR: wire/dot-stuff.ts), computed from the immutable body on first
//    need (a message may lack its final CRLF, which RETR adds) and cached by blob id.
//  - DELE only marks; nothing leaves the store before commit() in the UPDATE state (§6), so a
//    dropped connection deletes nothing.
//  - A message expunged by another session (IMAP, webmail) during ours becomes "vanished":
//    it keeps its number, and RETR/TOP of it answer -ERR instead of failing.
//  - UIDL is "<uidValidity>.<uid>": stable across sessions and restarts, and never reused for
//    another message because UIDs only grow within a UIDVALIDITY (store/types.ts).

import type { AppContext } from "../server/context.js";
import { isStoreUnavailable as isUnavailable } from "../store/errors.js";
import type { MailListener } from "../store/notifier.js";
import type { Account } from "../store/types.js";
import { errors } from "./errors.js";
import type { SizeCache } from "./shared.js";
import { messageSize } from "./wire/dot-stuff.js";

// \Seen flags after RETR are written at most this many per store write, and at most this long
// after the download (or at QUIT / disconnect, whichever comes first).
const SEEN_BATCH = 256;
const SEEN_DELAY_MS = 500;

interface Entry {
  uid: number;
  blobId: string;
  storedSize: number;
  size: number | null; // messageSize() of the body, once known
  seen: boolean; // \Seen at login, or queued to be flagged by this session
  deleted: boolean;
  vanished: boolean;
}

export class Maildrop {
  /** Marks messages expunged elsewhere (IMAP, another POP3 session) as gone. */
  private listener: MailListener | null = null;
  private accountId = 0;
  private seenQueue: number[] = [];
  private seenFlush: Promise<void> | null = null;
  private seenTimer: NodeJS.Timeout | null = null;
  onSeenError: ((e: unknown) => void) | null = null;

  private constructor(
    private readonly ctx: AppContext,
    private readonly sizes: SizeCache,
    readonly mailboxId: number,
    readonly uidValidity: number,
    private readonly entries: Entry[],
  ) {}

  static async open(
    ctx: AppContext,
    account: Account,
    opts: { sizes: SizeCache; maxMessages: number },
  ): Promise<Maildrop> {
    const inbox = await ctx.store.mail.getMailbox(account.id, "INBOX");
    if (!inbox) throw errors.noMaildrop();
    const metas = await ctx.store.mail.listMessages(inbox.id);
    const entries = metas.slice(0, opts.maxMessages).map(
      (m): Entry => ({
        uid: m.uid,
        blobId: m.blobId,
        storedSize: m.size,
        size: opts.sizes.get(m.blobId) ?? null,
        seen: m.flags.includes("\\Seen"),
        deleted: false,
        vanished: false,
      }),
    );
    const drop = new Maildrop(ctx, opts.sizes, inbox.id, inbox.uidValidity, entries);
    const byUid = new Map(entries.map((e) => [e.uid, e]));
    drop.listener = {
      onMailEvent(ev) {
        if (ev.kind !== "expunged" || ev.mailboxId !== inbox.id) return;
        for (const uid of ev.uids) {
          const e = byUid.get(uid);
          if (e) e.vanished = true;
        }
      },
    };
    drop.accountId = account.id;
    ctx.notifier.subscribe(account.id, drop.listener);
    return drop;
  }

  /** Number of messages in the snapshot, deleted ones included (numbers are never reused). */
  get count(): number {
    return this.entries.length;
  }

  /** Message numbers not marked deleted, ascending. */
  live(): number[] {
    const out: number[] = [];
    this.entries.forEach((e, i) => {
      if (!e.deleted) out.push(i + 1);
    });
    return out;
  }

  /** The entry for message number n, or a typed error if there is none or it is marked deleted. */
  private entry(n: number): Entry {
    const e = this.entries[n - 1];
    if (!e) throw errors.noSuchMessage();
    if (e.deleted) throw errors.alreadyDeleted();
    return e;
  }

  /** Throws unless n names a message not marked deleted. */
  check(n: number): void {
    this.entry(n);
  }

  uidl(n: number): string {
    return `${this.uidValidity}.${this.entry(n).uid}`;
  }

  /** Size of message n as RETR un-stuffed gives it (cached per body); `body` saves a read if the caller has it. */
  async size(n: number, body?: Buffer): Promise<number> {
    const e = this.entry(n);
    if (e.size !== null) return e.size;
    let size: number;
    try {
      size = messageSize(body ?? (await this.ctx.store.mail.readBody(e.blobId)));
      this.sizes.set(e.blobId, size);
    } catch (err) {
      // The database is down: no answer now, and nothing to remember (pop3ErrorOf: SYS/TEMP).
      if (isUnavailable(err)) throw err;
      // The body went away with an expunge by another session: the stored size is the best
      // answer left, and RETR of it will say it vanished.
      size = e.storedSize;
    }
    e.size = size;
    return size;
  }

  /** STAT: messages not marked deleted and their total size. */
  async stat(): Promise<{ count: number; octets: number }> {
    let octets = 0;
    const live = this.live();
    for (const n of live) octets += await this.size(n);
    return { count: live.length, octets };
  }

  /** The stored body of message n. */
  async body(n: number): Promise<Buffer> {
    const e = this.entry(n);
    if (e.vanished) throw errors.vanished();
    try {
      return await this.ctx.store.mail.readBody(e.blobId);
    } catch (err) {
      // The database is down: the message is still there, a later RETR gets it.
      if (isUnavailable(err)) throw err;
      e.vanished = true;
      throw errors.vanished();
    }
  }

  /**
   * RETR done: flag \Seen (config pop3.markSeenOnRetr), so webmail shows it as read. Flags are
   * written in the background, many UIDs per store write, so a client downloading a thousand
   * messages does not wait for a durable write after each one. close() waits for the last write.
   * A message already \Seen at login (or queued by an earlier RETR) costs no write: clients that
   * leave mail on the server download it again and again. If another session clears \Seen
   * meanwhile, this session does not set it again; the next one will.
   */
  markSeen(n: number): void {
    const e = this.entries[n - 1];
    if (!e || e.vanished || e.seen) return;
    e.seen = true;
    this.seenQueue.push(e.uid);
    if (this.seenQueue.length >= SEEN_BATCH) this.startSeenFlush();
    else this.seenTimer ??= setTimeout(() => this.startSeenFlush(), SEEN_DELAY_MS);
  }

  private startSeenFlush(): Promise<void> {
    if (this.seenTimer) clearTimeout(this.seenTimer);
    this.seenTimer = null;
    if (!this.seenFlush && this.seenQueue.length > 0) {
      this.seenFlush = this.flushSeen().finally(() => {
        this.seenFlush = null;
        // UIDs queued after the last write started wait for the timer, not for the next RETR.
        if (this.seenQueue.length > 0)
          this.seenTimer ??= setTimeout(() => this.startSeenFlush(), SEEN_DELAY_MS);
      });
    }
    return this.seenFlush ?? Promise.resolve();
  }

  private async flushSeen(): Promise<void> {
    while (this.seenQueue.length > 0) {
      const uids = this.seenQueue;
      this.seenQueue = [];
      try {
        await this.ctx.store.mail.setFlags(this.mailboxId, uids, { mode: "add", flags: ["\\Seen"] });
      } catch (e) {
        // Expunged meanwhile, or the store is closing: the downloads themselves succeeded.
        this.onSeenError?.(e);
      }
    }
  }

  markDeleted(n: number): void {
    this.entry(n).deleted = true;
  }

  /** RSET: unmark every message marked deleted; returns how many. */
  reset(): number {
    let n = 0;
    for (const e of this.entries) {
      if (e.deleted) {
        e.deleted = false;
        n++;
      }
    }
    return n;
  }

  /** UPDATE state (RFC 1939 §6): remove the messages marked deleted. Returns how many were removed. */
  async commit(): Promise<number> {
    // \Seen first, so the flags of messages about to be kept are written before QUIT's reply.
    for (let i = 0; i < 10 && (this.seenFlush || this.seenQueue.length > 0); i++) await this.startSeenFlush();
    const uids = this.entries.filter((e) => e.deleted && !e.vanished).map((e) => e.uid);
    if (uids.length === 0) return 0;
    const removed = await this.ctx.store.mail.expunge(this.mailboxId, uids);
    return removed.length;
  }

  /** The session is over: stop watching for expunges, finish writing \Seen flags. */
  async close(): Promise<void> {
    if (this.listener) this.ctx.notifier.unsubscribe(this.accountId, this.listener);
    this.listener = null;
    // Loop: the finally above may re-arm the timer for UIDs queued during the last write.
    for (let i = 0; i < 10 && (this.seenQueue.length > 0 || this.seenFlush); i++) await this.startSeenFlush();
    if (this.seenTimer) clearTimeout(this.seenTimer);
    this.seenTimer = null;
  }
}
