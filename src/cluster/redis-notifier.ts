// The change notifier shared by several nodes through Redis pub/sub (issue 17): a delivery on
// node A wakes IMAP IDLE, POP3, JMAP push and the webmail on node B.
//
// Invariants:
// - A hint, never the source of truth. Sessions read what changed from the store
//   (changesSince); an event lost while Redis is away costs latency, not mail: the session sees
//   the change at its next command or poll.
// - publish never throws and never waits: local listeners hear the event at once, as with
//   LocalNotifier; the Redis PUBLISH fails fast when Redis is away (no queue building up in
//   memory) and is logged at most every 30 s.
// - A node ignores its own events coming back (each notifier has its own random origin id, so
//   two apps in one process, as in tests, are two nodes).
// - Events from other nodes are marked `remote`: sessions act on them, jobs that must run once
//   per change (spam training) leave them to the node that made the change.
// - What other nodes published while the subscribed connection was down is lost (pub/sub keeps
//   nothing). After each reconnection, once subscribed again, the listeners here hear a "resync"
//   of every mailbox of the accounts they listen to, read from the store (readMailboxesFrom):
//   an IMAP IDLE or JMAP push session waiting on a mailbox that changed meanwhile reads
//   changesSince at once. A change published after the SUBSCRIBE comes as an event, one before
//   it is in what the store reads.
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { Logger } from "../log/logger.js";
import type { MailEvent } from "../store/notifier.js";
import { RelayingNotifier } from "../store/notifier-relay.js";
import { type Envelope, parseEnvelope } from "../store/notifier-wire.js";
import { rateLimited } from "./redis.js";

export interface RedisNotifierOptions {
  /** A connection for PUBLISH (may be shared with counters and locks). */
  pub: Redis;
  /** A connection of its own (a subscribed connection can run nothing else). */
  sub: Redis;
  /** The channel every node of one installation uses ([cluster] keyPrefix + "events"). */
  channel: string;
  nodeId: string;
  log: Logger;
}

/** One account's mailboxes with their highest mod-sequence (the store's listMailboxes). */
export type MailboxReader = (accountId: number) => Promise<{ id: number; highestModseq: number }[]>;

export class RedisNotifier extends RelayingNotifier {
  private readonly origin = randomBytes(9).toString("base64url");
  private readonly warn: ReturnType<typeof rateLimited>;
  private closed = false;
  private mailboxes: MailboxReader | null = null;

  private constructor(private readonly opts: RedisNotifierOptions) {
    super();
    this.warn = rateLimited(opts.log, 30_000);
    opts.sub.on("message", (channel: string, message: string) => {
      if (channel === opts.channel) this.onMessage(message);
    });
    // open() runs after connectRedis has seen the first "ready": each one from now on is a
    // reconnection.
    opts.sub.on("ready", () => void this.afterReconnect());
  }

  /** Where a resync after a reconnection reads the mailboxes (the store, once it is open; the
   *  notifier is opened before it). Without one, nothing is resynced. */
  readMailboxesFrom(read: MailboxReader): void {
    this.mailboxes = read;
  }

  /** Subscribes to the channel (resolves once subscribed, so events published after it are heard). */
  static async open(opts: RedisNotifierOptions): Promise<RedisNotifier> {
    const n = new RedisNotifier(opts);
    await opts.sub.subscribe(opts.channel);
    return n;
  }

  protected send(event: MailEvent): void {
    if (this.closed) return;
    const message = JSON.stringify({ n: this.opts.nodeId, o: this.origin, e: event } satisfies Envelope);
    this.opts.pub.publish(this.opts.channel, message).catch((e: Error) =>
      this.warn(
        "change event not sent to other nodes (Redis unavailable); they catch up at their next read",
        {
          err: e.message,
        },
      ),
    );
  }

  /** Stops hearing other nodes (the connections are closed by their owner). */
  async close(): Promise<void> {
    this.closed = true;
    await this.opts.sub.unsubscribe(this.opts.channel).catch(() => {});
  }

  /** Subscribed again, then every listened account's mailboxes as "resync" events here. */
  private async afterReconnect(): Promise<void> {
    const read = this.mailboxes;
    if (this.closed || !read || this.listenedAccounts().length === 0) return;
    try {
      // ioredis subscribes again right after "ready"; replies come in order, so once this
      // (idempotent) SUBSCRIBE is answered, the subscription is on.
      await this.opts.sub.subscribe(this.opts.channel);
      // One account at a time, each published as soon as read: a reconnection does not send a
      // burst of queries to the store, and the first sessions wake without waiting for the last.
      for (const accountId of this.listenedAccounts()) {
        const boxes = await read(accountId);
        if (this.closed) return;
        this.resync(boxes.map((b) => ({ accountId, mailboxId: b.id, highestModseq: b.highestModseq })));
      }
    } catch (e) {
      this.warn("mailboxes not re-read after the change notifier reconnected to Redis", {
        err: (e as Error).message,
      });
    }
  }

  private onMessage(message: string): void {
    if (this.closed) return;
    const env = parseEnvelope(message);
    if (!env) {
      this.warn("unreadable change event from Redis ignored", { bytes: message.length });
      return;
    }
    if (env.o === this.origin) return; // our own, already heard here
    this.relay(env.e);
  }
}
