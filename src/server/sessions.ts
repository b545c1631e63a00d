// Plumbing every TCP listener shares: bind and report the port, the concurrent-connection caps
// (in total and per client IP), and a graceful close that asks sessions to finish, waits up to
// the grace period, then aborts the rest.
import type { Server } from "node:net";
import type { ListenerConfig } from "../config/schema.js";
import type { Logger } from "../log/logger.js";
import { guardConnections, type ProxySettings } from "../proxy/accept.js";

export interface ClosableSession {
  /** Finish the current transaction, then say goodbye (421, -ERR, BYE). */
  shutdown(): void;
  /** Close the connection now. */
  abort(): void;
}

/** Listen as configured; resolves with the bound port (the ephemeral one when port is 0). With
 *  listener.proxyProtocol, every connection first passes the PROXY header check (proxy/accept.ts)
 *  under `proxy` ([proxy] settings), before any 'connection' listener added so far sees it. */
export async function listenOn(
  server: Server,
  listener: ListenerConfig,
  log: Logger,
  proxy: ProxySettings,
): Promise<number> {
  if (listener.proxyProtocol) guardConnections(server, proxy, log);
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

/** The open sessions of one listener: a Set that can say when it has emptied, for closeListener.
 *  It keeps no promise or closure per session: IMAP holds many idle connections, and each byte
 *  of one counts (bench/imap.ts phase 3). A session is added when it starts and deleted when it
 *  has ended, its socket closed. */
export class SessionSet<S extends ClosableSession> implements Iterable<S> {
  private readonly open = new Set<S>();
  private waiters: (() => void)[] = [];

  add(s: S): void {
    this.open.add(s);
  }

  delete(s: S): boolean {
    const had = this.open.delete(s);
    if (had && this.open.size === 0 && this.waiters.length > 0) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    }
    return had;
  }

  get size(): number {
    return this.open.size;
  }

  [Symbol.iterator](): Iterator<S> {
    return this.open.values();
  }

  /** Resolves once no session is open. */
  drained(): Promise<void> {
    if (this.open.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** Stop accepting, let sessions finish within graceMs, abort the rest. A session stuck in a
 *  store call is given two more seconds, then left behind so shutdown cannot hang. */
export async function closeListener(
  server: Server,
  sessions: SessionSet<ClosableSession>,
  graceMs: number,
  log: Logger,
): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const s of sessions) s.shutdown();
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
  });
  await Promise.race([sessions.drained(), grace]);
  clearTimeout(timer);
  for (const s of sessions) s.abort();
  const stuck = await Promise.race([
    sessions.drained().then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 2000).unref()),
  ]);
  if (stuck) log.warn("sessions still busy after shutdown grace", { count: sessions.size });
  await closed;
}

/** "::ffff:127.0.0.1" is an IPv4 client on a dual-stack socket. */
export function normalizeIp(ip: string): string {
  return ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip;
}

/** Concurrent connections of one listener: in total, per client IP before login, and per
 *  (account, IP) after it — Dovecot's mail_max_userip_connections design (issue 18). The per-IP cap
 *  guards the pre-login pool, where anonymous clients and the hostile-input attacks live; a
 *  connection that logs in leaves that pool (ConnectionSlot.login) and counts against its account's
 *  cap from that address instead, so an office of many users behind one NAT address is never
 *  locked out by the per-IP cap while a single anonymous address still cannot hold every slot.
 *  Refused connections never reach the protocol engine. Addresses in `exempt` (a trusted proxy or
 *  NAT) count towards the total only. Counts are per process: several processes sharing a data
 *  directory each apply the caps to their own connections. */
export class ConnectionLimiter {
  private total = 0;
  /** Connections not logged in yet, per client IP. */
  private readonly perIp = new Map<string, number>();
  /** Logged-in connections, per "ip account" key. */
  private readonly perUserIp = new Map<string, number>();
  private readonly exempt: ReadonlySet<string>;
  private readonly maxTotal: number;
  private readonly maxPerIp: number;
  private readonly maxPerUserIp: number;

  constructor(opts: {
    maxTotal: number;
    /** Connections not logged in yet from one IP. */
    maxPerIp: number;
    /** Logged-in connections of one account from one IP (default: no cap). */
    maxPerUserIp?: number;
    exempt?: readonly string[];
  }) {
    this.maxTotal = opts.maxTotal;
    this.maxPerIp = opts.maxPerIp;
    this.maxPerUserIp = opts.maxPerUserIp ?? Number.POSITIVE_INFINITY;
    this.exempt = new Set((opts.exempt ?? []).map(normalizeIp));
  }

  /** Takes a pre-login slot for a connection from ip; false when a cap is reached. */
  acquire(ip: string): boolean {
    const n = this.perIp.get(ip) ?? 0;
    if (this.total >= this.maxTotal || (n >= this.maxPerIp && !this.exempt.has(ip))) return false;
    this.total++;
    this.perIp.set(ip, n + 1);
    return true;
  }

  /** Gives back the pre-login slot of a connection that acquire() let in. */
  release(ip: string): void {
    decrement(this.perIp, ip);
    this.total = Math.max(0, this.total - 1);
  }

  /** acquire() as a handle that follows the connection through its login. */
  admit(ip: string): ConnectionSlot | null {
    return this.acquire(ip) ? new ConnectionSlot(this, ip) : null;
  }

  /** @internal (ConnectionSlot) Moves one connection of ip from the pre-login pool to account's
   *  pool; false (and nothing moved) when account already has maxPerUserIp from ip. */
  promote(ip: string, account: string): boolean {
    const key = `${ip} ${account}`;
    const n = this.perUserIp.get(key) ?? 0;
    if (n >= this.maxPerUserIp && !this.exempt.has(ip)) return false;
    this.perUserIp.set(key, n + 1);
    decrement(this.perIp, ip);
    return true;
  }

  /** @internal (ConnectionSlot) Gives back the slot of a connection promote() moved. */
  releaseLoggedIn(ip: string, account: string): void {
    decrement(this.perUserIp, `${ip} ${account}`);
    this.total = Math.max(0, this.total - 1);
  }

  get active(): number {
    return this.total;
  }

  /** Connections from ip not logged in yet. */
  preLogin(ip: string): number {
    return this.perIp.get(ip) ?? 0;
  }
}

function decrement(map: Map<string, number>, key: string): void {
  const n = map.get(key) ?? 0;
  if (n <= 1) map.delete(key);
  else map.set(key, n - 1);
}

/** One admitted connection's place in its listener's ConnectionLimiter: in the pre-login pool of
 *  its IP until login() moves it to its account's pool. release() is safe to call more than once. */
export class ConnectionSlot {
  private account: string | null = null;
  private released = false;

  constructor(
    private readonly limiter: ConnectionLimiter,
    readonly ip: string,
  ) {}

  /** After a successful authentication: false when the account is at its per-(account, IP) cap,
   *  and the connection then stays in the pre-login pool (the caller refuses the login). */
  login(account: string): boolean {
    if (this.released || this.account !== null) return true;
    if (!this.limiter.promote(this.ip, account)) return false;
    this.account = account;
    return true;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.account === null) this.limiter.release(this.ip);
    else this.limiter.releaseLoggedIn(this.ip, this.account);
  }
}
