// Concurrent connections per client address on the web listeners (issue 18: one IP holding 1,005
// half-sent requests filled http.maxConnections and every other client was refused). One cap is
// shared by the HTTP and HTTPS listeners of a server, counted from the TCP accept (before any
// TLS handshake), so a client gains nothing by spreading over both ports.
import type { Socket } from "node:net";
import { isIPv6 } from "node:net";
import { ConnectionLimiter, normalizeIp } from "../server/sessions.js";

/** The unit one client is held to: its IPv4 address, or its IPv6 /64 (RFC 6177: one site gets at
 *  least a /64, so counting single IPv6 addresses would give one attacker 2^64 caps). */
export function clientKey(remoteAddress: string | undefined): string {
  const ip = normalizeIp(remoteAddress ?? "");
  if (!isIPv6(ip)) return ip;
  const [head = "", tail = ""] = ip.split("::", 2);
  const left = head === "" ? [] : head.split(":");
  const right = tail === "" ? [] : tail.split(":");
  // A trailing dotted IPv4 part ("64:ff9b::192.0.2.1") stands for two groups.
  const zeros = 8 - left.length - right.length - (ip.includes(".") ? 1 : 0);
  const groups = ip.includes("::")
    ? [...left, ...Array<string>(Math.max(0, zeros)).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

/** Open connections per client, each counted from accept until its socket closes. Addresses in
 *  server.connectionLimitExemptIps (a reverse proxy in front of the webmail) are not capped. */
export class PerClientConnections {
  private readonly limiter: ConnectionLimiter;
  private readonly exempt: ReadonlySet<string>;

  constructor(opts: { maxPerClient: number; exempt?: readonly string[] }) {
    // The total is http.maxConnections, which node:http enforces per listener.
    this.limiter = new ConnectionLimiter({
      maxTotal: Number.POSITIVE_INFINITY,
      maxPerIp: opts.maxPerClient,
      exempt: opts.exempt,
    });
    this.exempt = new Set((opts.exempt ?? []).map(normalizeIp));
  }

  /** Counts `socket` against its client until it closes; false (and not counted) over the cap. */
  admit(socket: Socket): boolean {
    const ip = normalizeIp(socket.remoteAddress ?? "");
    const key = this.exempt.has(ip) ? ip : clientKey(ip);
    if (!this.limiter.acquire(key)) return false;
    socket.once("close", () => this.limiter.release(key));
    return true;
  }

  /** Connections open now, all clients together. */
  get active(): number {
    return this.limiter.active;
  }
}
