// The stored counters behind the admin charts (issue 21): a MetricEvents observer that counts the
// events an admin watches per hour in memory and writes them to the store in one batch every
// flushSec and at stop. Per event it does an array increment (no allocation, no I/O: it runs on
// the request path); the store sees one group-commit job a minute. A failed write keeps the
// counts for the next one. It also samples the queue's size for its chart, and prunes old rows.
import type { Logger } from "../log/logger.js";
import type {
  DeliveryResult,
  DestinationClass,
  LoginResult,
  MessageDoor,
  MetricEvents,
  ProtocolName,
  RejectReason,
} from "../metrics/events.js";
import type { StatsEntry, StatsStore } from "../store/types.js";
import { COUNTERS, type CounterName, dayOf, HOUR_MS, hourOf, QUEUE_SIZE } from "./series.js";

const INDEX = new Map<string, number>(COUNTERS.map((name, i) => [name, i]));
const idx = (name: CounterName): number => INDEX.get(name)!;
const I = {
  in: idx("msg.in"),
  submitted: idx("msg.submitted"),
  remoteDelivered: idx("delivery.remote.delivered"),
  localDelivered: idx("delivery.local.delivered"),
  deferred: idx("delivery.deferred"),
  bounced: idx("delivery.bounced"),
  junk: idx("spam.junk"),
  spamRejected: idx("spam.rejected"),
  virus: idx("virus"),
  loginFailed: idx("login.failed"),
  loginThrottled: idx("login.throttled"),
};
const REJECTED = new Map<string, number>(
  COUNTERS.flatMap((n, i) => (n.startsWith("rejected.") ? [[n.slice("rejected.".length), i] as const] : [])),
);
const REJECTED_OTHER = REJECTED.get("other")!;

/** Hours whose counts are held in memory at most: beyond (a store down for days), the oldest
 *  hour is dropped with a warning rather than memory growing without bound. */
const MAX_PENDING_HOURS = 48;

export interface StatsRecorderOptions {
  store: StatsStore;
  log: Logger;
  flushSec: number;
  queueSampleSec: number;
  hourlyRetentionDays: number;
  dailyRetentionDays: number;
  /** The outbound queue's size now (messages not yet delivered or given up). */
  queueSize: () => Promise<number>;
  /** Milliseconds since the epoch (tests move it). */
  now?: () => number;
}

export class StatsRecorder implements MetricEvents {
  private readonly now: () => number;
  /** hour → counts indexed like COUNTERS; the current hour's array is `current`. */
  private readonly pending = new Map<number, Float64Array>();
  private currentHour = -1;
  private current: Float64Array = new Float64Array(COUNTERS.length);
  private timers: NodeJS.Timeout[] = [];
  private flushing: Promise<void> | null = null;
  private sampling: Promise<void> | null = null;
  private lastPruneHour = -1;

  constructor(private readonly opts: StatsRecorderOptions) {
    this.now = opts.now ?? Date.now;
  }

  // ---- MetricEvents: the events the charts show; the others are not kept here (/metrics has them).
  connection(_protocol: ProtocolName): void {}
  command(_protocol: ProtocolName, _verb: string): void {}
  storeCommit(_seconds: number, _fsyncSeconds: number): void {}

  login(_protocol: ProtocolName, result: LoginResult): void {
    if (result === "failed") this.bump(I.loginFailed);
    else if (result === "throttled") this.bump(I.loginThrottled);
  }
  messageAccepted(door: MessageDoor): void {
    if (door === "inbound") this.bump(I.in);
    else if (door === "submission" || door === "jmap") this.bump(I.submitted);
  }
  messageRejected(_door: MessageDoor, reason: RejectReason): void {
    this.bump(REJECTED.get(reason) ?? REJECTED_OTHER);
  }
  spamVerdict(verdict: "ham" | "junk" | "rejected"): void {
    if (verdict === "junk") this.bump(I.junk);
    else if (verdict === "rejected") this.bump(I.spamRejected);
  }
  virusFound(): void {
    this.bump(I.virus);
  }
  delivery(result: DeliveryResult, destination: DestinationClass): void {
    if (result === "delivered") this.bump(destination === "remote" ? I.remoteDelivered : I.localDelivered);
    else if (result === "deferred") this.bump(I.deferred);
    else this.bump(I.bounced);
  }

  private bump(i: number): void {
    const hour = Math.floor(this.now() / HOUR_MS);
    if (hour !== this.currentHour) this.switchHour(hour);
    this.current[i]! += 1;
  }

  private switchHour(hour: number): void {
    let counts = this.pending.get(hour);
    if (!counts) {
      counts = new Float64Array(COUNTERS.length);
      this.pending.set(hour, counts);
      if (this.pending.size > MAX_PENDING_HOURS) {
        const oldest = Math.min(...this.pending.keys());
        this.pending.delete(oldest);
        this.opts.log.warn("stats: counts of an hour dropped, the store has refused them too long", {
          hour: oldest,
        });
      }
    }
    this.currentHour = hour;
    this.current = counts;
  }

  /** The counts not yet written, as store entries (the overview adds them to what it reads). */
  unwritten(): StatsEntry[] {
    const out: StatsEntry[] = [];
    for (const [hour, counts] of this.pending) {
      counts.forEach((n, i) => {
        if (n > 0) out.push({ name: COUNTERS[i]!, hour, n });
      });
    }
    return out;
  }

  /** Writes the counts gathered so far in one store call; on failure they stay for the next. */
  flush(): Promise<void> {
    this.flushing ??= this.doFlush().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async doFlush(): Promise<void> {
    const taken = [...this.pending];
    this.pending.clear();
    this.currentHour = -1; // the next event makes a fresh array
    const entries: StatsEntry[] = [];
    for (const [hour, counts] of taken) {
      counts.forEach((n, i) => {
        if (n > 0) entries.push({ name: COUNTERS[i]!, hour, n });
      });
    }
    if (entries.length === 0) return;
    try {
      await this.opts.store.add(entries);
    } catch (error) {
      // Put them back (adding to what came in meanwhile), to be written by the next flush.
      for (const [hour, counts] of taken) {
        const now = this.pending.get(hour);
        if (!now) this.pending.set(hour, counts);
        else
          counts.forEach((n, i) => {
            now[i]! += n;
          });
      }
      this.currentHour = -1;
      this.opts.log.warn("stats: writing the hourly counts failed; kept for the next try", { error });
    }
  }

  /** Samples the queue's size into this hour's gauge, and prunes old rows once an hour. */
  sample(): Promise<void> {
    this.sampling ??= this.doSample().finally(() => {
      this.sampling = null;
    });
    return this.sampling;
  }

  private async doSample(): Promise<void> {
    const t = this.now();
    const hour = hourOf(t);
    try {
      await this.opts.store.gauge(QUEUE_SIZE, hour, await this.opts.queueSize());
      if (hour !== this.lastPruneHour) {
        this.lastPruneHour = hour;
        await this.opts.store.prune({
          hourlyBefore: hour - this.opts.hourlyRetentionDays * 24,
          dailyBefore: dayOf(t) - this.opts.dailyRetentionDays,
        });
      }
    } catch (error) {
      this.opts.log.warn("stats: sampling the queue size failed", { error });
    }
  }

  /** Starts the flush and sample timers (unref'd: they never keep the process alive). */
  start(): this {
    const every = (sec: number, fn: () => Promise<void>) => {
      const t = setInterval(() => void fn(), sec * 1000);
      t.unref();
      this.timers.push(t);
    };
    every(this.opts.flushSec, () => this.flush());
    every(this.opts.queueSampleSec, () => this.sample());
    void this.sample(); // the first point now, not a sample period after start
    return this;
  }

  /** Stops the timers and writes what is left. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.sampling;
    await this.flushing;
    await this.flush();
  }
}
