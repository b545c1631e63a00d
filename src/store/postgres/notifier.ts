// The change notifier of nodes that share a PostgreSQL store but no Redis (issue 17):
// LISTEN/NOTIFY on one connection of its own. The same contract and invariants as
// src/cluster/redis-notifier.ts (which is preferred when [cluster] redisUrl is set):
// - a hint, never the source of truth: sessions read changesSince; an event lost while the
//   database is away costs latency, not mail;
// - publish never throws and never waits: local listeners hear the event at once, the NOTIFY is
//   sent on the side (at most MAX_IN_FLIGHT waiting, beyond that dropped and logged at most
//   every 30 s), and the connection comes back by itself; the payloads that queued while one
//   statement was on the wire go together in the next (one round trip for many deliveries);
// - a notifier ignores its own events (a random origin id), and marks other nodes' `remote`;
// - what other nodes sent while the connection was down is lost (PostgreSQL delivers a NOTIFY only
//   to sessions listening when it commits), so after each reconnection, once LISTEN is on again,
//   the listeners here hear a "resync" of every mailbox of the accounts they listen to, read in
//   one query: an IMAP IDLE or JMAP push session waiting on a mailbox that changed meanwhile reads
//   changesSince at once instead of at the next change. A change committed after the LISTEN comes
//   as a NOTIFY, one before it is in what the query reads: nothing falls between.
// A NOTIFY payload must stay under 8000 bytes: an event with many UIDs (an EXPUNGE of thousands)
// is sent as several events with a part of the UIDs each; listeners read changesSince anyway.
// The channel is per schema (one database may hold several installations, as the tests' schemas).
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { Logger } from "../../log/logger.js";
import { StoreUnavailableError } from "../errors.js";
import type { MailEvent } from "../notifier.js";
import { RelayingNotifier } from "../notifier-relay.js";
import { type Envelope, parseEnvelope } from "../notifier-wire.js";

/** Under PostgreSQL's 8000-byte limit with room to spare. */
export const MAX_PAYLOAD_BYTES = 7900;
const MAX_IN_FLIGHT = 1000;
/** Most payloads one statement sends. */
const NOTIFY_BATCH = 100;

export interface PgNotifierOptions {
  url: string;
  nodeId: string;
  connectTimeoutMs: number;
  log: Logger;
}

export class PgNotifier extends RelayingNotifier {
  private readonly origin = randomBytes(9).toString("base64url");
  private client: pg.Client | null = null;
  private channel = "";
  private closed = false;
  /** Payloads waiting, in publishing order, and whether a statement is on the wire. */
  private queue: string[] = [];
  private sending = false;
  private attempts = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastWarn = -Infinity;
  private skipped = 0;
  /** Whether a connection was ever up: the next one is a reconnection, which resyncs. */
  private connectedOnce = false;

  private constructor(private readonly opts: PgNotifierOptions) {
    super();
  }

  /** Connected and listening; throws when the database cannot be reached at start. */
  static async open(opts: PgNotifierOptions): Promise<PgNotifier> {
    const n = new PgNotifier(opts);
    try {
      await n.connect();
    } catch (e) {
      // As the store's own pool says it at start (db.ts).
      throw new StoreUnavailableError(`database unavailable: ${(e as Error).message}`, e);
    }
    return n;
  }

  protected send(event: MailEvent): void {
    if (this.closed) return;
    const c = this.client;
    if (!c) {
      this.warn("change event not sent to other nodes (database unavailable)");
      return;
    }
    for (const payload of payloads({ n: this.opts.nodeId, o: this.origin, e: event })) {
      if (this.queue.length >= MAX_IN_FLIGHT) {
        this.warn("change events not sent: too many waiting");
        break;
      }
      this.queue.push(payload);
    }
    this.flush(c);
  }

  /** One statement at a time on the connection (pg wants it so), its notifications in publishing
   *  order (a function scan of the array calls pg_notify element by element; PostgreSQL delivers a
   *  transaction's notifications in the order sent). */
  private flush(c: pg.Client): void {
    if (this.sending || this.queue.length === 0) return;
    const batch = this.queue.splice(0, NOTIFY_BATCH);
    this.sending = true;
    c.query("SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p", [this.channel, batch])
      .then(
        () => {},
        (e: Error) => this.warn(`change event not sent to other nodes: ${e.message}`),
      )
      .finally(() => {
        this.sending = false;
        const now = this.client;
        if (now) this.flush(now);
        else if (this.queue.length > 0) {
          this.queue = [];
          this.warn("change event not sent to other nodes (database unavailable)");
        }
      });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const c = new pg.Client({
      connectionString: this.opts.url,
      connectionTimeoutMillis: this.opts.connectTimeoutMs,
      application_name: `yubin notifier ${this.opts.nodeId}`.slice(0, 63),
    });
    // An error on an idle connection must not end the process: it ends this connection only.
    c.on("error", () => this.lost(c));
    c.on("end", () => this.lost(c));
    try {
      await c.connect();
      const r = await c.query<{ s: string; pid: number }>(
        "SELECT current_schema() AS s, pg_backend_pid() AS pid",
      );
      this.channel ||= `yubin_events_${r.rows[0]?.s ?? "public"}`.slice(0, 63);
      const ownPid = r.rows[0]?.pid;
      c.on("notification", (m) => {
        // Our own NOTIFYs (sent on this connection) come back to it: told apart by the sending
        // backend's pid before any parse. One per delivery, so the JSON.parse and checks it
        // saves are the receiving cost of a node that makes most of its own changes.
        if (m.processId === ownPid) return;
        if (m.channel === this.channel && m.payload !== undefined) this.onMessage(m.payload);
      });
      await c.query(`LISTEN ${pg.escapeIdentifier(this.channel)}`);
    } catch (e) {
      c.end().catch(() => {});
      throw e;
    }
    if (this.closed) {
      await c.end().catch(() => {});
      return;
    }
    this.client = c;
    this.attempts = 0;
    if (this.connectedOnce) void this.resyncAfterReconnect(c);
    this.connectedOnce = true;
  }

  /** Every listened account's mailboxes with their highest mod-sequence, as "resync" events to
   *  the listeners here (see the head of this file). A failure is logged: the sessions still see
   *  the change at their next command or the next event. */
  private async resyncAfterReconnect(c: pg.Client): Promise<void> {
    const accounts = this.listenedAccounts();
    if (accounts.length === 0) return;
    try {
      const r = await c.query<{ id: string; account_id: string; highest_modseq: string }>(
        "SELECT id, account_id, highest_modseq FROM mailboxes WHERE account_id = ANY($1::bigint[])",
        [accounts],
      );
      if (this.closed) return;
      this.resync(
        r.rows.map((row) => ({
          accountId: Number(row.account_id),
          mailboxId: Number(row.id),
          highestModseq: Number(row.highest_modseq),
        })),
      );
    } catch (e) {
      this.warn(`mailboxes not re-read after the notifier reconnected: ${(e as Error).message}`);
    }
  }

  private lost(c: pg.Client): void {
    if (this.client !== c) return;
    this.client = null;
    c.end().catch(() => {});
    this.warn("change notifier lost its database connection; reconnecting");
    this.reconnectLater();
  }

  /** 100 ms, 200 ms, … up to 2 s apart, until connected or closed. */
  private reconnectLater(): void {
    if (this.closed || this.timer) return;
    const delay = Math.min(++this.attempts * 100, 2000);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.closed || this.client) return;
      this.connect().catch(() => this.reconnectLater());
    }, delay);
    this.timer.unref();
  }

  private onMessage(payload: string): void {
    if (this.closed) return;
    const env = parseEnvelope(payload);
    if (!env || env.o === this.origin) return;
    this.relay(env.e);
  }

  private warn(msg: string): void {
    const now = Date.now();
    if (now - this.lastWarn < 30_000) {
      this.skipped++;
      return;
    }
    this.lastWarn = now;
    this.opts.log.warn(msg, this.skipped > 0 ? { skipped: this.skipped } : {});
    this.skipped = 0;
  }
}

/** The envelope as payloads under MAX_PAYLOAD_BYTES: whole, or its UIDs split in parts; an
 *  event that cannot fit (a mailbox name longer than the limit) is not sent. */
export function payloads(env: Envelope): string[] {
  const json = JSON.stringify(env);
  if (Buffer.byteLength(json) <= MAX_PAYLOAD_BYTES) return [json];
  const e = env.e;
  if (!("uids" in e) || e.uids.length < 2) return [];
  const half = Math.ceil(e.uids.length / 2);
  return [
    ...payloads({ ...env, e: { ...e, uids: e.uids.slice(0, half) } }),
    ...payloads({ ...env, e: { ...e, uids: e.uids.slice(half) } }),
  ];
}
