// What one side of a worker's IPC channel sends within one turn of its event loop travels as one
// message: a login's six throttle counters (src/auth/throttle.ts reads them with one Promise.all),
// a group commit's change events, the supervisor's answers to them. Each IPC message costs both
// processes a JSON encode, a pipe write, a wake-up and a JSON parse, whatever its size: in a POP3
// session (bench:pop3, 2 workers) the supervisor took ~10 % of the server's CPU, most of it in
// Node's channel code, for 20 messages a session; batched, 10 (docs/ARCHITECTURE.md, every core).
// The flush runs in process.nextTick: after the code that queued and every promise continuation
// it set off (Node runs the microtasks before the next tick callbacks), before any I/O, so
// nothing waits for another event-loop turn. Order is kept: one queue, flushed whole.
import { isOurs } from "./messages.js";

/** Several messages in one. Never nested. */
export interface Batch<T> {
  yubin: "batch";
  messages: T[];
}

/** What travels on the channel: one message or a batch of them. */
export type Wire<T> = T | Batch<T>;

export class Outbox<T> {
  private queue: T[] = [];

  constructor(private readonly deliver: (m: Wire<T>) => void) {}

  push(m: T): void {
    this.queue.push(m);
    if (this.queue.length === 1) process.nextTick(() => this.flush());
  }

  /** Sends what is queued now (called by the scheduled tick; callers may call it early). */
  flush(): void {
    const messages = this.queue;
    if (messages.length === 0) return;
    this.queue = [];
    this.deliver(messages.length === 1 ? messages[0]! : { yubin: "batch", messages });
  }

  /** Drops what is queued (the channel is gone). */
  clear(): void {
    this.queue = [];
  }
}

/** The messages a received one stands for: itself, or a batch's (those that are ours). */
export function unbatch<T extends { yubin: string }>(m: Wire<T>): T[] {
  if (m.yubin !== "batch") return [m as T];
  const messages: unknown = (m as Batch<unknown>).messages;
  return Array.isArray(messages) ? messages.filter((x): x is T => isOurs<T>(x)) : [];
}
