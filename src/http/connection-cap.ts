// Concurrent connections per client address on the web listeners (issue 18: one IP holding 1,005
// half-sent requests filled http.maxConnections and every other client was refused). One cap is
// shared by the HTTP and HTTPS listeners of a server, counted from the TCP accept (before any
// TLS handshake), so a client gains nothing by spreading over both ports.
import type { Socket } from "node:net";
import { isIPv6 } from "node:net";
import { normalizeIp } from "../server/sessions.js";

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

export class PerClientConnections {
  private readonly open = new Map<string, number>();

  constructor(private readonly maxPerClient: number) {}

  /** Counts `socket` against its client until it closes; false (and not counted) over the cap. */
  admit(socket: Socket): boolean {
    const key = clientKey(socket.remoteAddress);
    const n = this.open.get(key) ?? 0;
    if (n >= this.maxPerClient) return false;
    this.open.set(key, n + 1);
    socket.once("close", () => {
      const left = (this.open.get(key) ?? 1) - 1;
      if (left <= 0) this.open.delete(key);
      else this.open.set(key, left);
    });
    return true;
  }

  /** Connections counted for the client of `remoteAddress` (tests, diagnostics). */
  count(remoteAddress: string): number {
    return this.open.get(clientKey(remoteAddress)) ?? 0;
  }
}
