// MTA-STS (RFC 8461): a domain publishes "_mta-sts.DOMAIN TXT v=STSv1; id=..." and a policy at
// https://mta-sts.DOMAIN/.well-known/mta-sts.txt. Under mode "enforce" mail goes only to MX hosts
// the policy names, over TLS with a certificate valid for that host name; otherwise it waits.
// Policies are cached for max_age and refreshed when the TXT id changes (RFC 8461 3.3, 5.1).
// A policy that cannot be fetched, with none cached, means no policy (RFC 8461 5).
// The policy text is parsed and MX names matched by mailauth; the fetch is ours, so its port,
// trusted CAs, timeout and size limit are configurable.
import https from "node:https";
import { parsePolicy, resolvePolicy } from "mailauth/lib/mta-sts.js";
import type { DnsResolver } from "../dns/types.js";
import { isNoData } from "../dns/types.js";

export interface MtaStsPolicy {
  id: string;
  mode: "enforce" | "testing" | "none";
  mx: string[];
  maxAgeSec: number;
  expiresAt: number; // ms since the epoch
  /** The policy's lines as served (TLS-RPT policy-string, RFC 8460 4.4). */
  lines?: string[];
}

/** Why a domain that publishes MTA-STS has no usable policy (RFC 8460 4.3.2), for TLS-RPT. */
export type MtaStsProblem = "sts-policy-fetch-error" | "sts-policy-invalid" | "sts-webpki-invalid";

export interface MtaStsOptions {
  resolver: DnsResolver;
  port: number;
  timeoutMs: number;
  maxBytes: number;
  /** Trusted CA certificates for the policy server; undefined = Node's roots. */
  ca?: string[];
  now?: () => number;
  /** Replaces the HTTPS fetch (returns the policy text, or null when there is none). */
  fetchText?: (domain: string) => Promise<string | null>;
}

/** Domains with a policy problem remembered at most (forgotten all at once past it). */
const MAX_PROBLEMS = 10_000;

export class MtaStsError extends Error {
  override name = "MtaStsError";
}

export class MtaStsCache {
  private readonly cache = new Map<string, MtaStsPolicy>();
  /** Domains whose TXT record says a policy exists that could not be had, and none is cached. */
  private readonly problems = new Map<string, MtaStsProblem>();
  constructor(private readonly opts: MtaStsOptions) {}

  /** The policy that applies to mail for `domain` now, or null. */
  async policyFor(domain: string): Promise<MtaStsPolicy | null> {
    const now = (this.opts.now ?? Date.now)();
    const key = domain.toLowerCase();
    let cached = this.cache.get(key) ?? null;
    if (cached && cached.expiresAt <= now) {
      this.cache.delete(key);
      cached = null;
    }
    let id: string | false;
    try {
      id = await resolvePolicy(key, {
        resolver: (name, type) => this.opts.resolver.resolve(name, type) as Promise<string[][]>,
      });
    } catch {
      return cached; // DNS trouble: keep using what we have (RFC 8461 5.1)
    }
    if (!id) {
      this.problems.delete(key);
      return cached;
    }
    if (cached && cached.id === id) return cached;
    const problem = (p: MtaStsProblem) => {
      if (cached) return cached;
      if (this.problems.size >= MAX_PROBLEMS) this.problems.clear();
      this.problems.set(key, p);
      return null;
    };
    let text: string | null;
    try {
      text = await (this.opts.fetchText ?? ((d) => this.fetch(d)))(key);
    } catch (e) {
      // RFC 8460 4.3.2: a certificate the policy host cannot prove is its own is "webpki".
      const code = String((e as { code?: unknown }).code ?? "");
      return problem(
        /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code) ? "sts-webpki-invalid" : "sts-policy-fetch-error",
      );
    }
    if (text === null) return problem("sts-policy-fetch-error");
    let p: ReturnType<typeof parsePolicy>;
    try {
      p = parsePolicy(text);
    } catch {
      return problem("sts-policy-invalid");
    }
    const policy: MtaStsPolicy = {
      id,
      mode: p.mode,
      mx: p.mx ?? [],
      maxAgeSec: p.maxAge ?? 0,
      expiresAt: now + (p.maxAge ?? 0) * 1000,
      lines: text.split(/\r?\n/).filter((l) => l.trim() !== ""),
    };
    this.cache.set(key, policy);
    this.problems.delete(key);
    return policy;
  }

  /** Why the last policyFor(domain) found no policy although the domain announces one (null:
   *  it does not, or it was had). */
  problemWith(domain: string): MtaStsProblem | null {
    return this.problems.get(domain.toLowerCase()) ?? null;
  }

  private async fetch(domain: string): Promise<string | null> {
    const host = `mta-sts.${domain}`;
    let addrs: string[] = [];
    for (const lookup of [this.opts.resolver.resolve4, this.opts.resolver.resolve6]) {
      try {
        addrs = await lookup.call(this.opts.resolver, host);
      } catch (e) {
        if (!isNoData(e)) throw e;
      }
      if (addrs.length > 0) break;
    }
    const address = addrs[0];
    if (!address) return null;
    return new Promise<string>((resolve, reject) => {
      const req = https.get(
        {
          host: address,
          port: this.opts.port,
          path: "/.well-known/mta-sts.txt",
          servername: host,
          headers: { host },
          ca: this.opts.ca,
          rejectUnauthorized: true,
          timeout: this.opts.timeoutMs,
          agent: false,
        },
        (res) => {
          // RFC 8461 3.3: only a 200 counts, redirects are not followed; text/plain.
          const type = String(res.headers["content-type"] ?? "");
          if (res.statusCode !== 200 || !/^text\/plain\b/i.test(type)) {
            res.resume();
            reject(new MtaStsError(`policy fetch for ${domain}: HTTP ${res.statusCode} ${type}`));
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (c: Buffer) => {
            size += c.length;
            if (size > this.opts.maxBytes) {
              req.destroy(new MtaStsError(`policy for ${domain} is larger than ${this.opts.maxBytes} bytes`));
              return;
            }
            chunks.push(c);
          });
          res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new MtaStsError(`policy fetch for ${domain} timed out`)));
      req.on("error", reject);
    });
  }
}

/** Whether an MX host name is allowed by the policy (RFC 8461 4.1: "*." covers exactly one
 *  leftmost label; names compare case-insensitively, without a trailing dot). */
export function mxAllowed(policy: MtaStsPolicy, host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, "");
  return policy.mx.some((pattern) => {
    const p = pattern.toLowerCase().replace(/\.$/, "");
    if (!p.startsWith("*.")) return p === h;
    const dot = h.indexOf(".");
    return dot > 0 && h.slice(dot + 1) === p.slice(2);
  });
}
