// Which peers may speak the PROXY protocol: [proxy] trustedSources as a node:net BlockList
// (a lookup that costs the same for one entry or many).
import { BlockList, isIPv4, isIPv6 } from "node:net";

/** "192.0.2.0/24", "2001:db8::/32" or a bare address; null when it is neither. */
export function parseSource(entry: string): { addr: string; prefix: number; type: "ipv4" | "ipv6" } | null {
  const [addr = "", prefix, extra] = entry.trim().split("/");
  const type = isIPv4(addr) ? "ipv4" : isIPv6(addr) ? "ipv6" : null;
  if (!type || extra !== undefined) return null;
  const max = type === "ipv4" ? 32 : 128;
  if (prefix === undefined) return { addr, prefix: max, type };
  const n = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && n <= max ? { addr, prefix: n, type } : null;
}

/** For the config check at load: a typo fails at start naming the entry. */
export function trustedSourcesProblem(entries: string[]): string | null {
  const bad = entries.find((e) => parseSource(e) === null);
  return bad === undefined ? null : `"${bad}" is not an IP address or CIDR prefix`;
}

/** "::ffff:192.0.2.1" is an IPv4 peer on a dual-stack socket. */
export function plainIp(ip: string): string {
  return ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip;
}

export class TrustedSources {
  private readonly list = new BlockList();

  constructor(entries: readonly string[]) {
    for (const e of entries) {
      const s = parseSource(e);
      if (s) this.list.addSubnet(s.addr, s.prefix, s.type);
    }
  }

  has(ip: string): boolean {
    const p = plainIp(ip);
    if (isIPv4(p)) return this.list.check(p, "ipv4");
    return isIPv6(p) && this.list.check(p, "ipv6");
  }
}
