// The client network a greylisting triplet names (RFC 6647 4.1: senders retry from another address
// of their pool, so the whole network counts as one client) and the exempt networks.
import { BlockList, isIPv4, isIPv6 } from "node:net";
import { parseCidr } from "./config.js";

/** "192.0.2.77" with prefix 24 → "192.0.2.0/24"; IPv6 is masked the same way and written in
 *  full (8 groups), so one network always has one spelling. An IPv4-mapped IPv6 address
 *  (::ffff:192.0.2.77, a dual-stack socket's view of an IPv4 client) counts as IPv4. */
export function networkOf(ip: string, v4Prefix: number, v6Prefix: number): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const zone = ip.indexOf("%"); // a link-local address's zone ("fe80::1%eth0") is not part of it
  const addr = mapped ? mapped[1]! : zone < 0 ? ip : ip.slice(0, zone);
  if (isIPv4(addr)) {
    const n = addr.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
    const masked = v4Prefix === 0 ? 0 : Math.floor(n / 2 ** (32 - v4Prefix)) * 2 ** (32 - v4Prefix);
    const octets = [24, 16, 8, 0].map((s) => Math.floor(masked / 2 ** s) % 256);
    return `${octets.join(".")}/${v4Prefix}`;
  }
  if (isIPv6(addr)) {
    const groups = ipv6Groups(addr);
    const masked = groups.map((g, i) => {
      const bits = Math.min(16, Math.max(0, v6Prefix - i * 16));
      return bits === 0 ? 0 : g & ~((1 << (16 - bits)) - 1) & 0xffff;
    });
    return `${masked.map((g) => g.toString(16)).join(":")}/${v6Prefix}`;
  }
  // Not an IP address (a Unix socket in a test setup): the address itself is its network.
  return ip;
}

/** Eight 16-bit groups of a valid IPv6 address (with "::" and a dotted IPv4 tail expanded). */
function ipv6Groups(addr: string): number[] {
  let text = addr;
  const last = text.slice(text.lastIndexOf(":") + 1);
  if (isIPv4(last)) {
    const [a, b, c, d] = last.split(".").map(Number) as [number, number, number, number];
    text = `${text.slice(0, text.length - last.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split("::") as [string, string | undefined];
  const part = (s: string | undefined) => (s ? s.split(":").map((g) => Number.parseInt(g, 16)) : []);
  const h = part(head);
  const t = part(tail);
  const zeros = tail === undefined ? [] : new Array<number>(8 - h.length - t.length).fill(0);
  return [...h, ...zeros, ...t];
}

/** A BlockList of the entries (checked at load by config.ts: a bad one is left out here). */
export function networkList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const e of entries) {
    const c = parseCidr(e);
    if (c) list.addSubnet(c.addr, c.prefix, c.type);
  }
  return list;
}

/** Whether `ip` lies in `list` (IPv4-mapped IPv6 addresses are checked as IPv4). */
export function inNetworks(list: BlockList, ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return list.check(mapped[1]!, "ipv4");
  if (isIPv4(ip)) return list.check(ip, "ipv4");
  if (isIPv6(ip)) return list.check(ip, "ipv6");
  return false;
}
