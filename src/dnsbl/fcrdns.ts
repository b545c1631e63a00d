// Forward-confirmed reverse DNS: the client's PTR names, and whether one of them resolves back to
// the client's address (what Postfix calls reject_unknown_client_hostname). A missing PTR is
// common on small senders, so this is only ever a score. A lookup error (not an NXDOMAIN) is
// "unknown", which scores nothing: a DNS failure of ours must not count against the client.
import { isIPv4 } from "node:net";
import { type DnsResolver, isNoData } from "../dns/types.js";
import { beforeDeadline } from "./lookup.js";
import { expandIpv6 } from "./query-name.js";

export type Fcrdns = { kind: "pass"; name: string } | { kind: "fail"; detail: string } | { kind: "unknown" };

const MAX_PTR_NAMES = 5; // bounded work for a PTR set built to make us resolve many names

export async function checkFcrdns(resolver: DnsResolver, ip: string, deadline: number): Promise<Fcrdns> {
  let names: string[];
  try {
    names = await beforeDeadline(resolver.resolvePtr(reverseName(ip)), deadline);
  } catch (e) {
    return isNoData(e) ? { kind: "fail", detail: "no PTR" } : { kind: "unknown" };
  }
  for (const name of names.slice(0, MAX_PTR_NAMES)) {
    try {
      const addrs = await beforeDeadline(
        isIPv4(ip) ? resolver.resolve4(name) : resolver.resolve6(name),
        deadline,
      );
      const want = isIPv4(ip) ? ip : expandIpv6(ip);
      if (addrs.some((a) => (isIPv4(ip) ? a : expandIpv6(a)) === want)) return { kind: "pass", name };
    } catch (e) {
      if (!isNoData(e)) return { kind: "unknown" };
    }
  }
  return { kind: "fail", detail: `PTR ${names[0] ?? ""} does not resolve back` };
}

function reverseName(ip: string): string {
  if (isIPv4(ip)) return `${ip.split(".").reverse().join(".")}.in-addr.arpa`;
  return `${expandIpv6(ip).split("").reverse().join(".")}.ip6.arpa`;
}
