// IP addresses as SPF compares them (RFC 7208 §5.6: ip4/ip6, and the CIDR lengths of a/mx): the
// address as its 4 or 16 octets, and a prefix match on them. node:net validates the text first,
// so the parsers below only ever see well-formed input.
import { isIPv4, isIPv6 } from "node:net";

/** The octets of an IPv4 (4) or IPv6 (16) address, or null when `text` is neither. */
export function ipOctets(text: string): Uint8Array | null {
  if (isIPv4(text)) return v4(text);
  if (isIPv6(text)) return v6(text);
  return null;
}

function v4(text: string): Uint8Array {
  const out = new Uint8Array(4);
  const parts = text.split(".");
  for (let i = 0; i < 4; i++) out[i] = Number(parts[i]);
  return out;
}

function v6(text: string): Uint8Array {
  const out = new Uint8Array(16);
  let s = text;
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  // A trailing dotted quad (::ffff:1.2.3.4) stands for the last two groups.
  const groups: number[] = [];
  const head = (g: string): number[] => (g === "" ? [] : g.split(":").map((h) => Number.parseInt(h, 16)));
  const lastColon = s.lastIndexOf(":");
  if (s.indexOf(".", lastColon) >= 0) {
    const q = v4(s.slice(lastColon + 1));
    s = `${s.slice(0, lastColon + 1)}${((q[0]! << 8) | q[1]!).toString(16)}:${((q[2]! << 8) | q[3]!).toString(16)}`;
  }
  const gap = s.indexOf("::");
  if (gap < 0) groups.push(...head(s));
  else {
    const left = head(s.slice(0, gap));
    const right = head(s.slice(gap + 2));
    groups.push(...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right);
  }
  for (let i = 0; i < 8; i++) {
    out[i * 2] = (groups[i]! >> 8) & 0xff;
    out[i * 2 + 1] = groups[i]! & 0xff;
  }
  return out;
}

/** Whether the first `bits` bits of two addresses of the same family are equal. */
export function samePrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  if (a.length !== b.length) return false;
  let n = Math.min(bits, a.length * 8);
  for (let i = 0; n > 0; i++, n -= 8) {
    const mask = n >= 8 ? 0xff : (0xff << (8 - n)) & 0xff;
    if ((a[i]! & mask) !== (b[i]! & mask)) return false;
  }
  return true;
}

/** RFC 7208 §5: an IPv4-mapped IPv6 client address (::ffff:a.b.c.d) is checked as IPv4. */
export function unmapped(ip: string): string {
  const m = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i.exec(ip);
  return m && isIPv4(m[1]!) ? m[1]! : ip;
}

/** The name a PTR query for `octets` asks (RFC 7208 §5.5: in-addr.arpa / ip6.arpa). */
export function reverseName(octets: Uint8Array): string {
  if (octets.length === 4) return `${octets[3]}.${octets[2]}.${octets[1]}.${octets[0]}.in-addr.arpa`;
  return `${nibbles(octets).reverse().join(".")}.ip6.arpa`;
}

/** The 32 hexadecimal nibbles of an IPv6 address, most significant first. */
export function nibbles(octets: Uint8Array): string[] {
  const out: string[] = [];
  for (const o of octets) out.push((o >> 4).toString(16), (o & 0xf).toString(16));
  return out;
}
