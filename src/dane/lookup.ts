// Whether DANE applies to a destination, and with which TLSA records (RFC 7672 2.2):
//  - the MX RRset must be secure (validated, AD); an insecure MX RRset means no DANE for any of
//    its hosts, since an attacker could have chosen the hosts (2.2.1). Without MX records (the
//    implicit MX) the domain itself is the host, and only its own records count;
//  - a host's address records must be secure, else its TLSA records are not looked up (2.2.2);
//  - TLSA at _<port>._tcp.<host> (RFC 6698 3): secure and not empty → DANE; insecure, NXDOMAIN or
//    NODATA → opportunistic TLS as without DANE; SERVFAIL (what a validating resolver answers for
//    bogus data) or no answer at all → the host is not tried, and the mail waits (2.2: never
//    fall back to clear text when the lookup failed, or an attacker could make it fail).
// Answers are kept for [dane] cacheSec (at most their TTL), bounded in number.
import { type DnsAnswer, type DnsQueryOptions, dnsQuery, type QueryType } from "./dns-query.js";
import { isUsable, type TlsaRecord, tlsaString } from "./tlsa.js";

export type DaneHostPolicy =
  /** No DANE: opportunistic TLS as before. */
  | { kind: "none"; why: string }
  /** STARTTLS required; the certificate must match one usable record (none usable: TLS without
   *  authentication, RFC 7672 2.2). `strings` are all the records, for TLS-RPT. */
  | { kind: "dane"; records: TlsaRecord[]; usable: boolean; strings: string[] }
  | { kind: "fail"; reason: string };

export interface DaneLookup {
  /** RFC 7672 2.2.1: secure, insecure, or the lookup failed. */
  mxSecurity(domain: string): Promise<"secure" | "insecure" | { fail: string }>;
  hostPolicy(host: string, port: number): Promise<DaneHostPolicy>;
}

export interface DaneLookupOptions extends DnsQueryOptions {
  cacheSec: number;
  maxCacheEntries?: number;
  /** Replaces the query (tests of this file). */
  query?: (name: string, type: QueryType) => Promise<DnsAnswer>;
  now?: () => number;
}

export function createDaneLookup(opts: DaneLookupOptions): DaneLookup {
  const now = opts.now ?? Date.now;
  const ask = opts.query ?? ((name: string, type: QueryType) => dnsQuery(name, type, opts));
  const cache = new Map<string, { until: number; answer: DnsAnswer }>();
  const maxEntries = opts.maxCacheEntries ?? 10_000;
  const cached = async (name: string, type: QueryType): Promise<DnsAnswer> => {
    const key = `${name.toLowerCase()} ${type}`;
    const hit = cache.get(key);
    if (hit && hit.until > now()) return hit.answer;
    const answer = await ask(name, type);
    if (opts.cacheSec > 0 && answer.rcode !== "SERVFAIL") {
      const ttl = Math.min(
        opts.cacheSec,
        ...answer.answers.map((a) => ("ttl" in a && a.ttl !== undefined ? a.ttl : opts.cacheSec)),
      );
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
      cache.set(key, { until: now() + ttl * 1000, answer });
    }
    return answer;
  };

  return {
    async mxSecurity(domain) {
      try {
        const a = await cached(domain, "MX");
        if (a.rcode === "SERVFAIL") return { fail: `MX of ${domain}: SERVFAIL (DNSSEC validation failed?)` };
        return a.ad ? "secure" : "insecure";
      } catch (e) {
        return { fail: `MX of ${domain}: ${(e as Error).message}` };
      }
    },
    async hostPolicy(host, port) {
      try {
        const addr = await cached(host, "A");
        if (addr.rcode === "SERVFAIL") return { kind: "fail", reason: `address of ${host}: SERVFAIL` };
        if (!addr.ad) return { kind: "none", why: `address records of ${host} are not signed` };
        const name = `_${port}._tcp.${host}`;
        const t = await cached(name, "TLSA");
        if (t.rcode === "SERVFAIL")
          return { kind: "fail", reason: `TLSA of ${name}: SERVFAIL (DNSSEC validation failed?)` };
        const records: TlsaRecord[] = [];
        for (const a of t.answers) {
          if (a.type !== "TLSA") continue;
          records.push({
            usage: a.data.usage,
            selector: a.data.selector,
            matchingType: a.data.matchingType,
            data: Buffer.from(a.data.certificate),
          });
        }
        if (records.length === 0) return { kind: "none", why: `no TLSA records at ${name}` };
        if (!t.ad) return { kind: "none", why: `TLSA records at ${name} are not signed` };
        return { kind: "dane", records, usable: records.some(isUsable), strings: records.map(tlsaString) };
      } catch (e) {
        return { kind: "fail", reason: `DANE lookup for ${host}: ${(e as Error).message}` };
      }
    },
  };
}

/** The lookup delivery uses, or null when outbound DANE is off: [dane] enabled "auto" needs
 *  [dns] trustAd, since an AD bit that crossed an untrusted network proves nothing. */
export function daneLookupFromConfig(cfg: {
  dane: { enabled: "auto" | "off"; maxRecords: number; cacheSec: number };
  dns: { servers: string[]; timeoutMs: number; tries: number; trustAd: boolean; cacheEntries: number };
}): DaneLookup | null {
  if (cfg.dane.enabled === "off" || !cfg.dns.trustAd) return null;
  return createDaneLookup({
    servers: cfg.dns.servers,
    timeoutMs: cfg.dns.timeoutMs,
    tries: cfg.dns.tries,
    maxAnswers: cfg.dane.maxRecords,
    cacheSec: cfg.dane.cacheSec,
    maxCacheEntries: cfg.dns.cacheEntries,
  });
}
