// HELO/EHLO name sanity (RFC 5321 §4.1.1.1: the client's FQDN, or an address literal in brackets,
// §4.1.3). A name that is not a FQDN or a bare IP is a score; a name that claims to be this server
// (our host name, or our own address) is the unambiguous case, refused: no honest client is us.
import { isIP } from "node:net";

export type HeloFinding = "helo-claims-us" | "helo-bare-ip" | "helo-not-fqdn";

export function checkHelo(
  name: string,
  ours: { hostname: string; localIp: string; clientIp: string },
): HeloFinding | null {
  const n = name.toLowerCase().replace(/\.$/, "");
  const literal = /^\[(?:ipv6:)?([^\]]+)\]$/i.exec(n)?.[1];
  // A client connecting from our own address is this machine: another Yubin process or node on it
  // (relaying with the same host name), a local reinjection. Its claim is true, not a forgery.
  if (n === ours.hostname.toLowerCase() && ours.clientIp !== ours.localIp) return "helo-claims-us";
  // Loopback clients (local tools, tests) may well say [127.0.0.1]: only a routable own address
  // claimed by someone else is a lie.
  if (literal && literal === ours.localIp && !isLoopback(literal)) return "helo-claims-us";
  if (literal) return isIP(literal) ? null : "helo-not-fqdn";
  if (isIP(n)) return "helo-bare-ip";
  if (!/^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9])?)+$/.test(n))
    return "helo-not-fqdn";
  return null;
}

function isLoopback(ip: string): boolean {
  return ip === "::1" || ip.startsWith("127.");
}
