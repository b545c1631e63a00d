// The name asked of a DNS list (RFC 5782 §2.1, §2.4): an IPv4 address's octets reversed, an IPv6
// address's 32 nibbles reversed, each followed by the zone; a domain list (§2.2) is asked for the
// domain itself under the zone.
import { isIP, isIPv4, isIPv6 } from "node:net";

export function ipQueryName(ip: string, zone: string): string | null {
  if (isIPv4(ip)) return `${ip.split(".").reverse().join(".")}.${zone}`;
  if (!isIPv6(ip)) return null;
  return `${expandIpv6(ip).split("").reverse().join(".")}.${zone}`;
}

/** 32 lower-case hex digits, "::" expanded and an embedded IPv4 tail converted. */
export function expandIpv6(ip: string): string {
  let s = ip.toLowerCase();
  // An embedded IPv4 tail ("::ffff:1.2.3.4") is the part after the last colon.
  const tailAt = s.lastIndexOf(":") + 1;
  const v4 = s.slice(tailAt).split(".");
  if (
    v4.length === 4 &&
    v4.every((o) => o !== "" && o.length <= 3 && [...o].every((c) => c >= "0" && c <= "9"))
  ) {
    const [a, b, c, d] = v4.map(Number) as [number, number, number, number];
    s = `${s.slice(0, tailAt)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.includes("::") ? (s.split("::") as [string, string]) : [s, null];
  const h = head === "" ? [] : head.split(":");
  const t = tail === null || tail === "" ? [] : tail.split(":");
  const groups = tail === null ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  return groups.map((g) => g.padStart(4, "0")).join("");
}

/** A domain list query name, or null for a name that cannot be one (too long, bracketed IP). */
export function domainQueryName(domain: string, zone: string): string | null {
  const d = domain.toLowerCase().replace(/\.$/, "");
  if (isIP(d) || !/^[a-z0-9_.-]+$/.test(d) || !d.includes(".") || d.length + zone.length + 1 > 253)
    return null;
  return `${d}.${zone}`;
}
