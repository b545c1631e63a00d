// The supervisor's half of the workers' coordination without Redis: one set of counters and one
// set of locks for all workers (so login throttling counts every worker's failures, and a POP3
// maildrop is locked against sessions in any worker), and the relay of change events from the
// worker that committed them to the others (so an IMAP IDLE in worker 2 hears a delivery made in
// worker 1 at once, not at the next foreign-write poll), each only to the workers with a listener
// of its account (IMAP's mixed load with two workers relayed every write to a worker that had no
// session of that account: a JSON encode and parse in each of the three processes per event).
// Each worker is also told which accounts the others listen to ("wanted"), so it sends only those
// events: in IMAP's mixed load (20 clients, 20 accounts, each in one worker) none at all.
// Transport-free: the supervisor feeds it each worker's messages and gives it a way to answer
// (tests use in-memory pairs).
//
// A worker's locks are freed when it dies: the supervisor sees every death, so unlike Redis's
// locks these need no lease (a lock outliving its holder is impossible here).

import type { Logger } from "../log/logger.js";
import { type CounterStore, MemoryCounters } from "../store/counters.js";
import type { CallOp, ToSupervisor, ToWorker } from "./messages.js";
import { MetricsGathering } from "./metrics-gather.js";
import { Outbox, unbatch, type Wire } from "./outbox.js";

interface HeldLock {
  worker: number;
  token: number;
}

export class CoordinationHub {
  private readonly workers = new Map<number, Outbox<ToWorker>>();
  private readonly locks = new Map<string, HeldLock>();
  /** The accounts each worker has listeners of (its "listen" messages). */
  private readonly listening = new Map<number, Set<number>>();
  /** Workers that asked for the accounts the others listen to, and are kept told of them. */
  private readonly wantedAsked = new Set<number>();
  private nextToken = 1;
  private readonly metrics: MetricsGathering;
  /** /status: every worker's own report, gathered as the metrics are. */
  private readonly statuses: MetricsGathering;

  constructor(
    private readonly log: Logger,
    private readonly counters: CounterStore = new MemoryCounters(),
    /** How long a /metrics scrape waits for every worker's metrics (under the workers' own
     *  ipcTimeoutMs, so the scraped worker hears which one did not answer). */
    opts: { metricsTimeoutMs?: number } = {},
  ) {
    this.metrics = new MetricsGathering(opts.metricsTimeoutMs ?? 2000);
    this.statuses = new MetricsGathering(
      opts.metricsTimeoutMs ?? 2000,
      (id) => ({ yubin: "status.ask", id }),
      "status",
    );
  }

  /** A worker's channel is up; `send` answers it (what one turn of the event loop sends it goes
   *  as one message: outbox.ts). */
  attach(worker: number, send: (m: Wire<ToWorker>) => void): void {
    this.workers.set(worker, new Outbox(send));
  }

  /** A worker is gone: it hears nothing more, and the locks it held are free. */
  detach(worker: number): void {
    this.workers.get(worker)?.clear();
    this.workers.delete(worker);
    this.wantedAsked.delete(worker);
    const had = this.listening.get(worker);
    this.listening.delete(worker);
    // What only the dead worker listened to is wanted by nobody now.
    if (had) for (const account of had) this.tellWanted(worker, account, false);
    this.metrics.gone(worker);
    this.statuses.gone(worker);
    for (const [name, held] of this.locks) if (held.worker === worker) this.locks.delete(name);
  }

  /** Locks held now, by name (tests, status). */
  heldLocks(): string[] {
    return [...this.locks.keys()];
  }

  receive(from: number, wire: Wire<ToSupervisor>): void {
    for (const m of unbatch(wire)) this.receiveOne(from, m);
  }

  private receiveOne(from: number, m: ToSupervisor): void {
    if (m.yubin === "event") {
      const account = m.event.accountId;
      for (const [id, out] of this.workers)
        if (id !== from && this.listening.get(id)?.has(account)) out.push({ yubin: "event", event: m.event });
      return;
    }
    if (m.yubin === "listen") {
      let set = this.listening.get(from);
      if (!set) {
        set = new Set();
        this.listening.set(from, set);
      }
      if (set.has(m.accountId) === m.on) return;
      if (m.on) set.add(m.accountId);
      else set.delete(m.accountId);
      this.tellWanted(from, m.accountId, m.on);
      return;
    }
    if (m.yubin === "wanted.ask") {
      const out = this.workers.get(from);
      if (!out) return;
      const accounts = new Set<number>();
      for (const [id, set] of this.listening) if (id !== from) for (const a of set) accounts.add(a);
      this.wantedAsked.add(from);
      out.push({ yubin: "wanted", accountIds: [...accounts], on: true });
      return;
    }
    if (m.yubin === "metrics.answer") {
      this.metrics.answer(from, m.id, m.metrics);
      return;
    }
    if (m.yubin === "status.answer") {
      this.statuses.answer(from, m.id, m.status);
      return;
    }
    if (m.yubin !== "call") return;
    const out = this.workers.get(from);
    if (!out) return;
    this.call(from, m.op, m.args).then(
      (value) => out.push({ yubin: "reply", id: m.id, ok: true, value }),
      (e: unknown) => {
        this.log.warn("worker call failed", { worker: from, op: m.op, error: e });
        out.push({ yubin: "reply", id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) });
      },
    );
  }

  /** Worker `changed` started (on) or stopped listening to `account`: each other worker that
   *  asked is told when that changes whether anyone but itself listens. */
  private tellWanted(changed: number, account: number, on: boolean): void {
    for (const id of this.wantedAsked) {
      if (id === changed) continue;
      let byOthers = false;
      for (const [other, set] of this.listening)
        if (other !== id && other !== changed && set.has(account)) byOthers = true;
      // Someone else already listens: the change makes no difference to this worker.
      if (byOthers) continue;
      this.workers.get(id)?.push({ yubin: "wanted", accountIds: [account], on });
    }
  }

  private async call(from: number, op: CallOp, args: unknown[]): Promise<unknown> {
    const str = (i: number) => {
      const v = args[i];
      if (typeof v !== "string") throw new TypeError(`${op}: argument ${i} must be a string`);
      return v;
    };
    const num = (i: number) => {
      const v = args[i];
      if (typeof v !== "number" || !Number.isFinite(v))
        throw new TypeError(`${op}: argument ${i} must be a number`);
      return v;
    };
    switch (op) {
      case "counter.incr":
        return this.counters.incr(str(0), num(1));
      case "counter.get":
        return this.counters.get(str(0));
      case "counter.reset":
        await this.counters.reset(str(0));
        return null;
      case "counter.peek":
        return this.counters.peek(str(0));
      case "counter.set":
        await this.counters.set(str(0), num(1), num(2));
        return null;
      case "counter.list":
        return this.counters.list(str(0), num(1));
      case "lock.acquire": {
        const name = str(0);
        if (this.locks.has(name)) return null;
        const token = this.nextToken++;
        this.locks.set(name, { worker: from, token });
        return token;
      }
      case "lock.release": {
        const name = str(0);
        // Only by its holder: a late release of a lock since taken by another is ignored.
        if (this.locks.get(name)?.token === num(1)) this.locks.delete(name);
        return null;
      }
      case "metrics.gather":
        return this.metrics.gather(this.workers);
      case "status.gather":
        return this.statuses.gather(this.workers);
      default: {
        const never: never = op;
        throw new TypeError(`unknown call ${String(never)}`);
      }
    }
  }
}
