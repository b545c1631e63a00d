// Where mail for a domain goes (RFC 5321 5.1): its MX hosts in preference order (equal
// preferences in random order, to spread load), each with its addresses; without MX records the
// domain itself is the one host (the "implicit MX"); a null MX (RFC 7505: one MX of ".") means
// the domain accepts no mail, a permanent failure. DNS trouble is a temporary failure.
import { isIP } from "node:net";
import type { DnsResolver } from "../dns/types.js";
import { isNoData } from "../dns/types.js";

export interface RouteHost {
  /** Host name (for TLS: SNI and the certificate check; MTA-STS: the mx pattern match). */
  name: string;
  priority: number;
  addresses: string[];
}

export type Route =
  | { kind: "hosts"; hosts: RouteHost[]; implicit: boolean }
  /** No way to deliver: `permanent` failures bounce, others are retried. */
  | { kind: "fail"; permanent: boolean; status: string; reason: string };

export interface RouteOptions {
  /** Most MX hosts tried for one domain. */
  maxHosts: number;
  random?: () => number;
}

export async function resolveRoute(
  resolver: DnsResolver,
  domain: string,
  opts: RouteOptions,
): Promise<Route> {
  const literal = addressLiteral(domain);
  if (literal)
    return { kind: "hosts", implicit: true, hosts: [{ name: literal, priority: 0, addresses: [literal] }] };

  let mx: { exchange: string; priority: number }[];
  try {
    mx = await resolver.resolveMx(domain);
  } catch (e) {
    if (!isNoData(e)) return dnsFail(domain, "MX", e);
    mx = [];
  }
  if (mx.some((r) => r.exchange === "" || r.exchange === ".")) {
    // RFC 7505 3: a null MX; the domain does not accept mail.
    return {
      kind: "fail",
      permanent: true,
      status: "5.1.10",
      reason: `${domain} does not accept mail (null MX)`,
    };
  }
  if (mx.length === 0) {
    // RFC 5321 5.1: no MX records, so the domain is its own mail host.
    const a = await addressesOf(resolver, domain);
    if (a.kind === "error") return dnsFail(domain, "A/AAAA", a.error);
    if (a.addresses.length === 0)
      return { kind: "fail", permanent: true, status: "5.1.2", reason: `${domain} has no MX and no address` };
    return { kind: "hosts", implicit: true, hosts: [{ name: domain, priority: 0, addresses: a.addresses }] };
  }

  const ordered = orderByPreference(mx, opts.random ?? Math.random).slice(0, opts.maxHosts);
  const hosts: RouteHost[] = [];
  let lastError: unknown = null;
  const lookups = await Promise.all(ordered.map((r) => addressesOf(resolver, r.exchange)));
  ordered.forEach((r, i) => {
    const a = lookups[i];
    if (!a) return;
    if (a.kind === "error") lastError = a.error;
    else if (a.addresses.length > 0)
      hosts.push({
        name: r.exchange.toLowerCase().replace(/\.$/, ""),
        priority: r.priority,
        addresses: a.addresses,
      });
  });
  if (hosts.length === 0) {
    if (lastError) return dnsFail(domain, "MX host address", lastError);
    // Every MX host name is without addresses: a broken zone, which its owner may yet fix.
    return {
      kind: "fail",
      permanent: false,
      status: "4.4.4",
      reason: `no MX host of ${domain} has an address`,
    };
  }
  return { kind: "hosts", implicit: false, hosts };
}

/** Sort by preference; hosts of equal preference are shuffled (RFC 5321 5.1). */
export function orderByPreference<T extends { priority: number }>(list: T[], random: () => number): T[] {
  const keyed = list.map((r) => ({ r, k: random() }));
  keyed.sort((a, b) => a.r.priority - b.r.priority || a.k - b.k);
  return keyed.map((x) => x.r);
}

type Addresses = { kind: "ok"; addresses: string[] } | { kind: "error"; error: unknown };

async function addressesOf(resolver: DnsResolver, name: string): Promise<Addresses> {
  if (isIP(name)) return { kind: "ok", addresses: [name] };
  const [v4, v6] = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
  const out: string[] = [];
  let error: unknown = null;
  for (const r of [v4, v6]) {
    if (r.status === "fulfilled") out.push(...r.value);
    else if (!isNoData(r.reason)) error = r.reason;
  }
  // One family answering is enough; only report an error when nothing was found.
  if (out.length === 0 && error) return { kind: "error", error };
  return { kind: "ok", addresses: out };
}

function dnsFail(domain: string, what: string, e: unknown): Route {
  const code = (e as { code?: unknown } | null)?.code;
  return {
    kind: "fail",
    permanent: false,
    status: "4.4.3",
    reason: `DNS ${what} lookup for ${domain} failed: ${typeof code === "string" ? code : String(e)}`,
  };
}

/** "[192.0.2.1]" or "[IPv6:2001:db8::1]" (RFC 5321 4.1.3). */
function addressLiteral(domain: string): string | null {
  const m = /^\[(?:ipv6:)?([^\]]+)\]$/i.exec(domain);
  if (!m?.[1]) return null;
  return isIP(m[1]) ? m[1] : null;
}
