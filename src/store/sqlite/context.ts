// What the parts of the SQLite store share: the connection, blob storage, the group-commit
// writer, the notifier. Mailbox writes go through grouped(): queued on the group-commit writer, so
// concurrent sessions share one transaction and one fsync, in submission order. Other writes go
// through write(): one immediate transaction of their own. Either way events are published and
// unreferenced blob files removed after the commit, and the promise/value comes after it.
import type { Logger } from "../../log/logger.js";
import { StoreError } from "../errors.js";
import type { ChangeNotifier, MailEvent } from "../notifier.js";
import type { Blobs } from "./blobs.js";
import type { Db } from "./db.js";
import type { GroupCommitWriter, JobOutput } from "./writer.js";

/** One message's row as the flag copies hold it: UID, MODSEQ, system flag bits, keywords. */
export type FlagRow = [uid: number, modseq: number, bits: number, keywords: string];

/** Committed writes to a mailbox's messages, told to the in-memory flag copies (flag-list.ts). */
export interface FlagCopyWrites {
  /** A committed write moved the mailbox's HIGHESTMODSEQ from `before` to `after` by changing
   *  exactly these rows (each now so) and expunging these UIDs. */
  written(
    mailboxId: number,
    before: number,
    after: number,
    rows: readonly FlagRow[],
    removed: readonly number[],
  ): void;
}

export interface StoreLimits {
  mailboxNameMaxBytes: number;
}

export class Ctx {
  closed = false;
  writer!: GroupCommitWriter;
  /** \Recent claims (recent.ts) not written yet: mailbox id -> first unclaimed UID. */
  readonly recentClaims = new Map<number, number>();
  /** The flag copies' write-through (flag-list.ts); null without copies (flagCacheMessages 0). */
  flagCopies: FlagCopyWrites | null = null;
  /** This process's group-commit writes, told right after their COMMIT, before their fsync and
   *  the events' publication (foreign-writes.ts: not to take them for another process's). */
  onOwnCommit: ((events: readonly MailEvent[]) => void) | null = null;
  /** Run after every commit (the full-text indexer schedules itself: fulltext.ts). */
  onCommit: (() => void) | null = null;
  private readonly uvGet;
  private readonly uvSet;

  constructor(
    readonly db: Db,
    readonly blobs: Blobs,
    readonly notifier: ChangeNotifier,
    readonly log: Logger,
    readonly limits: StoreLimits,
  ) {
    this.uvGet = db.prepare<[], { value: number }>("SELECT value FROM meta WHERE key = 'uid_validity'");
    this.uvSet = db.prepare<[number]>(
      "INSERT INTO meta (key, value) VALUES ('uid_validity', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    );
  }

  assertOpen(): void {
    if (this.closed) throw new StoreError("invalid", "store is closed");
  }

  /** A synchronous read, refused once the store is closed. */
  read<T>(fn: () => T): T {
    this.assertOpen();
    return fn();
  }

  /** One durable transaction (synchronous=FULL: COMMIT returns after fsync), then its events. */
  write<T>(fn: () => JobOutput<T>): T {
    this.assertOpen();
    const out = this.db.transaction(fn).immediate();
    out.committed?.();
    this.afterCommit(out.events ?? []);
    return out.value;
  }

  /**
   * One write in the next group commit (its own savepoint: a throw fails this call alone).
   * Resolves after the batch's COMMIT and WAL fsync and after its events are published. Jobs run in
   * submission order, so a call sees every write submitted before it.
   */
  grouped<T>(run: () => JobOutput<T>): Promise<T> {
    this.assertOpen();
    return this.writer.submit({ run });
  }

  afterCommit(events: MailEvent[]): void {
    try {
      this.blobs.collect();
    } catch (error) {
      this.log.warn("blob collection failed", { error });
    }
    for (const e of events) this.notifier.publish(e);
    this.onCommit?.();
  }

  /** RFC 3501 2.3.1.1: seconds since the epoch, but strictly increasing within this store. */
  nextUidValidity(): number {
    const last = this.uvGet.get()?.value ?? 0;
    const v = Math.max(Math.floor(Date.now() / 1000), last + 1);
    this.uvSet.run(v);
    return v;
  }
}
