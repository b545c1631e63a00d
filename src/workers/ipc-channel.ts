// The worker's half of the coordination without Redis: calls to the supervisor (counters, locks)
// answered by id, and the change events it relays. A call the supervisor does not answer within
// ipcTimeoutMs, or one made once the channel is gone (the supervisor died), fails as a
// StoreUnavailableError: the protocols answer it as a temporary failure (POP3 -ERR [SYS/TEMP],
// IMAP NO [UNAVAILABLE]) and never take a lock or a throttle count as granted.
import { StoreUnavailableError } from "../store/errors.js";
import type { MailEvent } from "../store/notifier.js";
import { type CallOp, type Calls, isOurs, type ToSupervisor, type ToWorker } from "./messages.js";
import { Outbox, unbatch, type Wire } from "./outbox.js";

/** How messages travel: the cluster IPC channel (processPort) or an in-memory pair (tests). */
export interface Port {
  send(m: Wire<ToSupervisor>): void;
  onMessage(handler: (m: Wire<ToWorker>) => void): void;
  onClose(handler: () => void): void;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class IpcChannel {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  private eventHandler: (e: MailEvent) => void = () => {};
  private wantedHandler: (accountIds: number[], on: boolean) => void = () => {};
  private metricsHandler: () => Promise<unknown> = async () => [];
  private statusHandler: (() => Promise<unknown>) | null = null;
  // What this turn of the event loop sends goes as one IPC message (outbox.ts).
  private readonly outbox = new Outbox<ToSupervisor>((m) => {
    try {
      this.port.send(m);
    } catch {
      this.close(); // the channel closed under us: the supervisor died
    }
  });

  constructor(
    private readonly port: Port,
    private readonly timeoutMs: number,
  ) {
    port.onMessage((m) => {
      for (const one of unbatch(m)) this.receive(one);
    });
    port.onClose(() => this.close());
  }

  /** Where the other workers' change events go. */
  onEvent(handler: (e: MailEvent) => void): void {
    this.eventHandler = handler;
  }

  /** Where the supervisor's news of the accounts other workers listen to go. */
  onWanted(handler: (accountIds: number[], on: boolean) => void): void {
    this.wantedHandler = handler;
  }

  /** What this worker answers when the supervisor gathers every worker's metrics. */
  onMetricsAsk(handler: () => Promise<unknown>): void {
    this.metricsHandler = handler;
  }

  /** What this worker answers when the supervisor gathers every worker's /status report. */
  onStatusAsk(handler: () => Promise<unknown>): void {
    this.statusHandler = handler;
  }

  call<K extends CallOp>(op: K, ...args: Calls[K]["args"]): Promise<Calls[K]["value"]> {
    if (this.closed) return Promise.reject(new StoreUnavailableError("the workers' supervisor is gone"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new StoreUnavailableError(`the workers' supervisor did not answer ${op} in ${this.timeoutMs} ms`),
        );
      }, this.timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.send({ yubin: "call", id, op, args });
    });
  }

  /** Fire and forget (events, "ready"); dropped once the channel is gone. Sent with whatever
   *  else this turn of the event loop sends. */
  send(m: ToSupervisor): void {
    if (this.closed) return;
    this.outbox.push(m);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.outbox.clear();
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new StoreUnavailableError("the workers' supervisor is gone"));
      this.pending.delete(id);
    }
  }

  private receive(m: ToWorker): void {
    if (m.yubin === "event") {
      this.eventHandler(m.event);
      return;
    }
    if (m.yubin === "wanted") {
      this.wantedHandler(m.accountIds, m.on);
      return;
    }
    if (m.yubin === "metrics.ask") {
      const id = m.id;
      // A process whose metrics cannot be read sends none: the scrape goes on with the others'.
      this.metricsHandler().then(
        (metrics) => this.send({ yubin: "metrics.answer", id, metrics }),
        () => this.send({ yubin: "metrics.answer", id, metrics: [] }),
      );
      return;
    }
    if (m.yubin === "status.ask") {
      const id = m.id;
      // Null while its app is still starting (nothing to report yet) or when the report failed.
      const own = this.statusHandler ?? (async () => null);
      own().then(
        (status) => this.send({ yubin: "status.answer", id, status }),
        () => this.send({ yubin: "status.answer", id, status: null }),
      );
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return; // timed out already
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.ok) p.resolve(m.value);
    else p.reject(new StoreUnavailableError(`the workers' supervisor failed: ${m.error}`));
  }
}

/** This worker process's channel to the supervisor (Node's cluster IPC). */
export function processPort(): Port {
  return {
    send(m) {
      if (!process.send || !process.connected) throw new Error("no IPC channel");
      // The callback takes a send that failed (channel closing) off the throw path.
      process.send(m, undefined, {}, () => {});
    },
    onMessage(handler) {
      process.on("message", (m: unknown) => {
        if (isOurs<Wire<ToWorker>>(m)) handler(m);
      });
    },
    onClose(handler) {
      process.once("disconnect", handler);
    },
  };
}
