// Open connections kept for reuse: after a transaction, a healthy connection waits (idleKeepMs)
// for the next message to the same server, address, TLS mode and credentials, so a burst of
// mail to one destination costs one TCP and TLS handshake instead of one per message.
import { tlsaString } from "../dane/tlsa.js";
import { type ClientOptions, SmtpClient } from "./client.js";

export interface PoolOptions {
  idleKeepMs: number;
  maxMessagesPerConnection: number;
  /** Opens a connection; tests may replace it. */
  open?: (o: ClientOptions) => Promise<SmtpClient>;
}

interface Idle {
  client: SmtpClient;
  timer: NodeJS.Timeout;
}

export class ConnectionPool {
  /** Connections opened since start (for the benchmark and tests). */
  opened = 0;
  private readonly idle = new Map<string, Idle[]>();
  private closed = false;
  constructor(private readonly opts: PoolOptions) {}

  async acquire(o: ClientOptions): Promise<SmtpClient> {
    const key = keyOf(o);
    const list = this.idle.get(key);
    while (list && list.length > 0) {
      const it = list.pop()!;
      clearTimeout(it.timer);
      if (list.length === 0) this.idle.delete(key);
      if (it.client.usable) return it.client;
      it.client.close();
    }
    this.opened++;
    return (this.opts.open ?? SmtpClient.open)(o);
  }

  release(c: SmtpClient): void {
    if (
      this.closed ||
      !c.usable ||
      c.messages >= this.opts.maxMessagesPerConnection ||
      this.opts.idleKeepMs === 0
    ) {
      c.close();
      return;
    }
    const key = keyOf(c.options);
    const list = this.idle.get(key) ?? [];
    const it: Idle = {
      client: c,
      timer: setTimeout(() => {
        const i = list.indexOf(it);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0 && this.idle.get(key) === list) this.idle.delete(key);
        c.close();
      }, this.opts.idleKeepMs),
    };
    it.timer.unref();
    list.push(it);
    this.idle.set(key, list);
  }

  closeAll(): void {
    this.closed = true;
    for (const list of this.idle.values()) {
      for (const it of list) {
        clearTimeout(it.timer);
        it.client.close();
      }
    }
    this.idle.clear();
  }
}

function keyOf(o: ClientOptions): string {
  // Under DANE a connection was authenticated against these TLSA records: new records, new connection.
  const tlsa = o.tlsa ? o.tlsa.map(tlsaString).join(",") : "";
  return JSON.stringify([
    o.address,
    o.port,
    o.hostname,
    o.tls,
    o.localAddress ?? "",
    o.auth?.user ?? "",
    tlsa,
  ]);
}
