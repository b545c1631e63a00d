// Node's own resolver (c-ares), optionally pointed at configured servers ("127.0.0.1:5353").
import { Resolver } from "node:dns/promises";
import type { SectionValue } from "../config/dsl.js";
import { cachingResolver } from "./cache.js";
import type { dnsSection } from "./config.js";
import type { DnsResolver } from "./types.js";

export interface ResolverOptions {
  /** DNS servers as "ip" or "ip:port" / "[v6]:port"; empty = the system's resolv.conf. */
  servers?: string[];
  timeoutMs?: number;
  tries?: number;
}

export function createDnsResolver(opts: ResolverOptions = {}): DnsResolver {
  const r = new Resolver({ timeout: opts.timeoutMs ?? 5000, tries: opts.tries ?? 2 });
  if (opts.servers && opts.servers.length > 0) r.setServers(opts.servers);
  return {
    resolveMx: (n) => r.resolveMx(n),
    resolve4: (n) => r.resolve4(n),
    resolve6: (n) => r.resolve6(n),
    resolveTxt: (n) => r.resolveTxt(n),
    resolveCname: (n) => r.resolveCname(n),
    resolveSrv: (n) => r.resolveSrv(n),
    resolvePtr: (n) => r.resolvePtr(n),
    resolve: (n, t) => r.resolve(n, t),
  };
}

/** The resolver delivery and the SPF/DKIM/DMARC checks use: the configured servers, cached. */
export function createCachedDnsResolver(cfg: SectionValue<typeof dnsSection>): DnsResolver {
  return cachingResolver(createDnsResolver(cfg), {
    cacheSec: cfg.cacheSec,
    negativeCacheSec: cfg.negativeCacheSec,
    maxEntries: cfg.cacheEntries,
  });
}
