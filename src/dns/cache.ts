// A cache in front of the resolver, for delivery and the SPF/DKIM/DMARC checks: a burst of mail to
// one domain asks the DNS once, and queries already in flight are shared. Node's resolver returns
// no TTL for MX and TXT answers, so every answer is kept for a fixed, short time (dns.cacheSec,
// below any sane TTL's effect on mail), "no such name/record" for dns.negativeCacheSec; failures
// (timeouts, SERVFAIL) are never kept, so a retry asks again. The admin DNS page and
// `yubin domain dns --check` use the resolver without this cache: they must see changes at once.
import { type DnsResolver, isNoData } from "./types.js";

export interface DnsCacheOptions {
  /** How long an answer is kept, in seconds (0: no cache at all). */
  cacheSec: number;
  /** How long "no such name / no such record" is kept, in seconds. */
  negativeCacheSec: number;
  /** Most answers kept; the oldest go first. */
  maxEntries: number;
  /** For tests. */
  now?: () => number;
}

interface Entry {
  until: number;
  value?: unknown;
  error?: unknown;
}

export function cachingResolver(inner: DnsResolver, opts: DnsCacheOptions): DnsResolver {
  if (opts.cacheSec <= 0) return inner;
  const now = opts.now ?? Date.now;
  const answers = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<unknown>>();

  function keep(key: string, e: Entry): void {
    answers.delete(key); // re-inserted last: Map order is age order
    answers.set(key, e);
    while (answers.size > opts.maxEntries) {
      const oldest = answers.keys().next().value as string;
      answers.delete(oldest);
    }
  }

  function cached<T>(type: string, name: string, ask: () => Promise<T>): Promise<T> {
    // DNS names are case-insensitive.
    const key = `${type} ${name.toLowerCase()}`;
    const hit = answers.get(key);
    if (hit && hit.until > now()) {
      return "error" in hit ? Promise.reject(hit.error) : Promise.resolve(hit.value as T);
    }
    if (hit) answers.delete(key);
    const pending = inFlight.get(key);
    if (pending) return pending as Promise<T>;
    const p = ask().then(
      (value) => {
        inFlight.delete(key);
        keep(key, { until: now() + opts.cacheSec * 1000, value });
        return value;
      },
      (error: unknown) => {
        inFlight.delete(key);
        if (isNoData(error) && opts.negativeCacheSec > 0)
          keep(key, { until: now() + opts.negativeCacheSec * 1000, error });
        throw error;
      },
    );
    inFlight.set(key, p);
    return p;
  }

  return {
    resolveMx: (n) => cached("MX", n, () => inner.resolveMx(n)),
    resolve4: (n) => cached("A", n, () => inner.resolve4(n)),
    resolve6: (n) => cached("AAAA", n, () => inner.resolve6(n)),
    resolveTxt: (n) => cached("TXT", n, () => inner.resolveTxt(n)),
    resolveCname: (n) => cached("CNAME", n, () => inner.resolveCname(n)),
    resolveSrv: (n) => cached("SRV", n, () => inner.resolveSrv(n)),
    resolvePtr: (n) => cached("PTR", n, () => inner.resolvePtr(n)),
    resolve: (n, t) => cached(t.toUpperCase(), n, () => inner.resolve(n, t)),
  };
}
