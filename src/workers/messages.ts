// What the supervisor and its workers say to each other over the cluster IPC channel (JSON).
// Every message carries `yubin` (its kind), so Node's own cluster messages are never mistaken for
// ours. The supervisor holds what the workers must share when there is no Redis: the counters
// (login throttling, rate limits), the locks (the POP3 maildrop lock), and it relays the change
// events from the worker that made them to the others.
import type { CounterEntry } from "../store/counters.js";
import type { MailEvent } from "../store/notifier.js";

/** The calls a worker makes of the supervisor, with their arguments and answers. */
export interface Calls {
  "counter.incr": { args: [key: string, windowMs: number]; value: number };
  "counter.get": { args: [key: string]; value: number };
  "counter.reset": { args: [key: string]; value: null };
  "counter.peek": { args: [key: string]; value: CounterEntry | null };
  "counter.set": { args: [key: string, count: number, ttlMs: number]; value: null };
  "counter.list": { args: [prefix: string, limit: number]; value: CounterEntry[] };
  /** The lock's token, or null when another holder has it. */
  "lock.acquire": { args: [name: string]; value: number | null };
  "lock.release": { args: [name: string, token: number]; value: null };
  /** Every live worker's metrics as prom-client JSON, one array each (a /metrics scrape). */
  "metrics.gather": { args: []; value: unknown[] };
  /** Every live worker's own /status report, one each (src/metrics/monitoring.ts). */
  "status.gather": { args: []; value: unknown[] };
}
export type CallOp = keyof Calls;

/** A listener a worker opened (the same in every worker: they share the sockets). */
export interface ReadyListener {
  protocol: string;
  address: string;
  port: number;
  tls: string;
}

export type ToSupervisor =
  | { yubin: "ready"; listeners: ReadyListener[] }
  | { yubin: "event"; event: MailEvent }
  /** The worker has listeners of this account now (on) or no longer (off): the supervisor relays
   *  it an account's events only while it listens (hub.ts). */
  | { yubin: "listen"; accountId: number; on: boolean }
  /** Sent once, as the worker's notifier starts: answer with the accounts the other workers
   *  listen to ("wanted"), and keep it told of changes to that set. */
  | { yubin: "wanted.ask" }
  | { yubin: "call"; id: number; op: CallOp; args: unknown[] }
  /** A worker's own metrics, answering the supervisor's "metrics.ask" of that id. */
  | { yubin: "metrics.answer"; id: number; metrics: unknown }
  /** A worker's own status report, answering the supervisor's "status.ask" of that id. */
  | { yubin: "status.answer"; id: number; status: unknown };

export type ToWorker =
  | { yubin: "event"; event: MailEvent }
  /** Other workers now listen (on) or no longer listen (off) to these accounts: the worker sends
   *  the supervisor only the events of accounts another worker listens to (ipc-notifier.ts). The
   *  first one answers "wanted.ask" and holds the whole set. */
  | { yubin: "wanted"; accountIds: number[]; on: boolean }
  | { yubin: "reply"; id: number; ok: true; value: unknown }
  | { yubin: "reply"; id: number; ok: false; error: string }
  /** Send your metrics (another worker is being scraped). */
  | { yubin: "metrics.ask"; id: number }
  /** Send your status report (another worker is answering /status). */
  | { yubin: "status.ask"; id: number };

/** One of ours (a plain object with a `yubin` kind), not one of Node's cluster messages. */
export function isOurs<T extends { yubin: string }>(m: unknown): m is T {
  return typeof m === "object" && m !== null && typeof (m as { yubin?: unknown }).yubin === "string";
}
