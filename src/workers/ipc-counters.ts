// The counters of a worker (serve --workers N without Redis): held by the supervisor, so a login
// throttle or rate limit counts every worker's attempts, not a Nth of them in each.
import type { CounterEntry, CounterStore } from "../store/counters.js";
import type { IpcChannel } from "./ipc-channel.js";

export class IpcCounters implements CounterStore {
  constructor(private readonly channel: IpcChannel) {}

  incr(key: string, windowMs: number): Promise<number> {
    return this.channel.call("counter.incr", key, windowMs);
  }

  get(key: string): Promise<number> {
    return this.channel.call("counter.get", key);
  }

  async reset(key: string): Promise<void> {
    await this.channel.call("counter.reset", key);
  }

  peek(key: string): Promise<CounterEntry | null> {
    return this.channel.call("counter.peek", key);
  }

  async set(key: string, count: number, ttlMs: number): Promise<void> {
    await this.channel.call("counter.set", key, count, ttlMs);
  }

  list(prefix: string, limit: number): Promise<CounterEntry[]> {
    return this.channel.call("counter.list", prefix, limit);
  }
}
