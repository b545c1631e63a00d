// What the parts of the PostgreSQL store share (issue 17): the pool, the notifier, the log, the
// MIME parser and the limits. A write is one transaction (db.tx); its mail events are published
// after the COMMIT has returned, i.e. once the data is durable (synchronous_commit on), never
// before: a listener on another node that hears of a change can read it.
import type { Logger } from "../../log/logger.js";
import type { MessageStructure } from "../../mime/types.js";
import { StoreError } from "../errors.js";
import type { ChangeNotifier, MailEvent } from "../notifier.js";
import type { PgDb, Tx } from "./db.js";

export interface PgLimits {
  mailboxNameMaxBytes: number;
  /** Bodies larger than this are stored in chunks of this size (blob_chunks), smaller ones in one
   *  row; either way in the database, so a node needs no shared filesystem. */
  chunkBytes: number;
  fullTextMaxBytes: number;
  fullTextMaxWords: number;
}

/** What a write returns: its value and the events to publish once committed. */
export interface WriteOutput<T> {
  value: T;
  events?: MailEvent[];
}

export class PgCtx {
  closed = false;
  /** Run after every committed write (e.g. the full-text indexer schedules itself). */
  onCommit: (() => void) | null = null;

  constructor(
    readonly db: PgDb,
    readonly notifier: ChangeNotifier,
    readonly log: Logger,
    readonly parse: (body: Buffer) => MessageStructure,
    readonly limits: PgLimits,
  ) {}

  assertOpen(): void {
    if (this.closed) throw new StoreError("invalid", "store is closed");
  }

  /** One transaction; its events published after COMMIT. */
  async write<T>(fn: (t: Tx) => Promise<WriteOutput<T>>): Promise<T> {
    this.assertOpen();
    const out = await this.db.tx(fn);
    for (const e of out.events ?? []) this.notifier.publish(e);
    this.onCommit?.();
    return out.value;
  }
}
