// Plumbing every TCP listener shares: bind and report the port, the concurrent-connection caps
// (in total and per client IP), and a graceful close that asks sessions to finish, waits up to
// the grace period, then aborts the rest.
import type { Server } from "node:net";
import type { ListenerConfig } from "../config/schema.js";
import type { Logger } from "../log/logger.js";

export interface ClosableSession {
  /** Finish the current transaction, then say goodbye (421, -ERR, BYE). */
  shutdown(): void;
  /** Close the connection now. */
  abort(): void;
}

/** Listen as configured; resolves with the bound port (the ephemeral one when port is 0). */
export async function listenOn(server: Server, listener: ListenerConfig, log: Logger): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listener.port, listener.address, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (e) => log.error("listener error", { err: e }));
  const address = server.address();
  return typeof address === "object" && address ? address.port : listener.port;
}

/** Stop accepting, let sessions finish within graceMs, abort the rest. A session stuck in a
 *  store call is given two more seconds, then left behind so shutdown cannot hang. */
export async function closeListener(
  server: Server,
  sessions: Map<ClosableSession, Promise<void>>,
  graceMs: number,
  log: Logger,
): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const s of sessions.keys()) s.shutdown();
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
  });
  await Promise.race([Promise.all(sessions.values()), grace]);
  clearTimeout(timer);
  for (const s of sessions.keys()) s.abort();
  const stuck = await Promise.race([
    Promise.all(sessions.values()).then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 2000).unref()),
  ]);
  if (stuck) log.warn("sessions still busy after shutdown grace", { count: sessions.size });
  await closed;
}

/** "::ffff:127.0.0.1" is an IPv4 client on a dual-stack socket. */
export function normalizeIp(ip: string): string {
  return ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip;
}

/** Concurrent connections of one listener, in total and per client IP (issue 18: without a per-IP
 *  cap one address could hold every connection slot, each with its pre-login buffers). Refused
 *  connections never reach the protocol engine. Addresses in `exempt` (a trusted proxy or NAT)
 *  count towards the total only. */
export class ConnectionLimiter {
  private total = 0;
  private readonly perIp = new Map<string, number>();
  private readonly exempt: ReadonlySet<string>;

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerIp: number,
    exempt: readonly string[] = [],
  ) {
    this.exempt = new Set(exempt.map(normalizeIp));
  }

  /** Takes a slot for a connection from ip; false when a cap is reached. */
  acquire(ip: string): boolean {
    const n = this.perIp.get(ip) ?? 0;
    if (this.total >= this.maxTotal || (n >= this.maxPerIp && !this.exempt.has(ip))) return false;
    this.total++;
    this.perIp.set(ip, n + 1);
    return true;
  }

  /** Gives back the slot of a connection that acquire() let in. */
  release(ip: string): void {
    const n = this.perIp.get(ip) ?? 0;
    if (n <= 1) this.perIp.delete(ip);
    else this.perIp.set(ip, n - 1);
    this.total = Math.max(0, this.total - 1);
  }

  get active(): number {
    return this.total;
  }
}
