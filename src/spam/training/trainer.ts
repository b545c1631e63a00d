// Training from what users do: a listener on every account's change events (ChangeNotifier.
// subscribeAll) that turns a move into or out of Junk and the setting of $Junk/$NotJunk into
// training of the classifier (decide.ts says which action means what). It sits below the doors,
// on the store's events, so IMAP (MOVE, COPY, STORE), JMAP (Email/set mailboxIds and keywords)
// and the webmail (which speaks JMAP) all train through this one path.
//
// Invariants:
// - Off the request path. onMailEvent only appends to a queue and returns, so a client's MOVE
//   gets its OK without waiting; one worker trains the queued messages in order (a move into
//   Junk and straight back out must end as ham, not race to either).
// - Bounded. At most `maxPending` messages wait; beyond that they are dropped with a warning:
//   training is best-effort and must never hold up or endanger mail.
// - Never throws into a session: every failure (message gone, store closed) is logged.
// - The key is the message's content address (blob id): the same message trained twice is a
//   no-op, moved back it is retrained as the other class (SpamStore.train's semantics).
import type { Logger } from "../../log/logger.js";
import type { ChangeNotifier, MailEvent, MailListener } from "../../store/notifier.js";
import type { MailStore, SpamClass, SpamStore } from "../../store/types.js";
import { trainMessage } from "../classifier/train.js";
import { classOfKeywords, classOfTransfer, hasClassKeyword } from "./decide.js";

export interface TrainerOptions {
  mail: MailStore;
  spam: SpamStore;
  notifier: ChangeNotifier;
  log: Logger;
  /** Messages waiting to be trained, at most ([spam] trainQueue). */
  maxPending: number;
}

/** Messages of one event still to look at. The class is known for keyword events; for a copy
 *  or move it is decided when the job runs (it needs the mailboxes' special uses), so until then
 *  the job counts as one in `pending`: archiving 10,000 messages costs one lookup and does not
 *  fill the queue, while what a move into Junk brings is bounded when its class is known. */
interface Job {
  event: Extract<MailEvent, { kind: "added" | "flags" }>;
  uids: readonly number[];
  /** What this job still counts in `pending`. */
  counted: number;
}

export class JunkTrainer implements MailListener {
  private readonly jobs: Job[] = [];
  private pending = 0;
  private dropped = 0;
  private running: Promise<void> | null = null;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  /** Messages trained (or retrained) since start, for tests and the admin page. */
  trained = 0;

  constructor(private readonly opts: TrainerOptions) {}

  start(): this {
    this.opts.notifier.subscribeAll(this);
    return this;
  }

  /** Stops listening, drops what is still queued (best-effort) and waits for the message being
   *  trained, so the store can close after. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.opts.notifier.unsubscribeAll(this);
    if (this.pending > 0)
      this.opts.log.info("spam training: stopped with messages untrained", { pending: this.pending });
    this.jobs.length = 0;
    this.pending = 0;
    await this.running;
    this.wakeIdle();
  }

  /** Resolves when nothing is queued or being trained (tests: "the next message" sees it). */
  whenIdle(): Promise<void> {
    if (this.running === null && this.jobs.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  onMailEvent(e: MailEvent): void {
    // Another node's change is trained by that node's trainer (src/cluster/redis-notifier.ts).
    if (this.stopped || e.remote) return;
    if (e.kind === "added") {
      if (e.cause !== "copy" && e.cause !== "move") return;
    } else if (e.kind === "flags") {
      if (classOfKeywords(e.keywordsAdded ?? []) === null) return;
    } else return;
    let job: Job;
    if (e.kind === "flags") {
      const uids = this.admit(e.uids);
      if (uids.length === 0) return;
      job = { event: e, uids, counted: uids.length };
    } else {
      if (this.admit(e.uids, 1).length === 0) return;
      job = { event: e, uids: e.uids, counted: 1 };
    }
    this.jobs.push(job);
    this.pending += job.counted;
    this.running ??= this.drain();
  }

  /** The part of `uids` there is room for (counting `cost` for them, default one each); the rest
   *  is dropped, with one warning per overflow (not per event) and the total when the queue
   *  drains. */
  private admit(uids: readonly number[], cost?: number): readonly number[] {
    const room = this.opts.maxPending - this.pending;
    const fits =
      cost === undefined ? Math.max(0, Math.min(room, uids.length)) : room >= cost ? uids.length : 0;
    if (fits < uids.length) {
      if (this.dropped === 0)
        this.opts.log.warn("spam training queue full; dropping", { maxPending: this.opts.maxPending });
      this.dropped += uids.length - fits;
    }
    return fits === uids.length ? uids : uids.slice(0, fits);
  }

  private async drain(): Promise<void> {
    for (let job = this.jobs.shift(); job !== undefined; job = this.jobs.shift()) {
      try {
        await this.runJob(job);
      } catch (err) {
        this.opts.log.warn("spam training failed", {
          accountId: job.event.accountId,
          mailboxId: job.event.mailboxId,
          error: (err as Error).message,
        });
        this.pending = Math.max(0, this.pending - job.counted);
      }
    }
    this.running = null;
    if (this.dropped > 0) {
      this.opts.log.warn("spam training: messages dropped while the queue was full", {
        dropped: this.dropped,
      });
      this.dropped = 0;
    }
    this.wakeIdle();
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private async runJob(job: Job): Promise<void> {
    const { mail } = this.opts;
    const { event } = job;
    let as: SpamClass | null;
    let uids = job.uids;
    if (event.kind === "added") {
      const to = await mail.getMailboxById(event.mailboxId);
      const from = event.fromMailboxId === undefined ? null : await mail.getMailboxById(event.fromMailboxId);
      as = to ? classOfTransfer(event.cause, to.specialUse, from?.specialUse ?? null) : null;
      if (this.stopped) return;
      this.pending -= job.counted;
      job.counted = 0;
      if (as === null) return;
      uids = this.admit(uids);
      this.pending += uids.length;
      job.counted = uids.length;
    } else as = classOfKeywords(event.keywordsAdded ?? []);
    if (as === null) return; // (keyword jobs are queued only with a class; this narrows the type)
    for (const uid of uids) {
      if (this.stopped) return;
      this.pending--;
      job.counted--;
      try {
        await this.trainOne(event, uid, as);
      } catch (err) {
        this.opts.log.warn("spam training failed", {
          accountId: event.accountId,
          mailboxId: event.mailboxId,
          uid,
          error: (err as Error).message,
        });
      }
    }
  }

  private async trainOne(event: Job["event"], uid: number, as: SpamClass): Promise<void> {
    const { mail, spam, log } = this.opts;
    // The message may have moved on (or lost its keyword) since the event: the later event
    // trains it then, if it says anything.
    const [meta] = await mail.listMessages(event.mailboxId, { minUid: uid, maxUid: uid });
    if (meta === undefined) return;
    if (event.kind === "flags" && !hasClassKeyword(meta.flags, as)) return;
    const body = await mail.readBody(meta.blobId);
    const result = await trainMessage(spam, { accountId: event.accountId, key: meta.blobId, as, body });
    if (result === "unchanged") return;
    this.trained++;
    log.info("spam training", {
      accountId: event.accountId,
      as,
      result,
      because: event.kind === "flags" ? "keyword" : event.cause,
      key: meta.blobId,
    });
  }
}
