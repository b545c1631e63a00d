// Counts outbound TLS sessions for TLS-RPT (RFC 8460 4.4). The delivery engine reports each new
// connection's outcome (DeliverDeps.tlsOutcome, src/outbound/tls-outcome.ts); record() is O(1)
// and synchronous, adding to an in-memory count per (UTC day, policy domain, policy, result
// type, sending IP, receiving MX, receiving IP). Only domains that publish a TLS-RPT record
// (_smtp._tls TXT, looked up once per domain per day) keep anything: the rest of the world's
// sessions are dropped at the next flush. Counts go to the store in one batch when flush() is
// called (service.ts: every flushIntervalMs, and at stop) or when maxPendingRows distinct rows wait.
import type { DnsResolver } from "../../dns/types.js";
import type { Logger } from "../../log/logger.js";
import type { TlsOutcome } from "../../outbound/tls-outcome.js";
import type { ReportSendingStore, TlsResultCount } from "../../store/types.js";
import { utcDay } from "./day.js";
import { lookupTlsRpt } from "./tlsrpt-record.js";

export interface TlsResultsOptions {
  store: ReportSendingStore;
  resolver: DnsResolver;
  log: Logger;
  maxPendingRows: number;
  now?: () => number;
}

/** Domains whose TLS-RPT answer is remembered at most (forgotten all at once past it). */
const MAX_DOMAINS = 10_000;

interface Published {
  day: string;
  publishes: Promise<boolean>;
  /** Set once the lookup answered. */
  known?: boolean;
}

export class TlsResults {
  private pending = new Map<string, TlsResultCount>();
  private readonly published = new Map<string, Published>();
  private flushing: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly opts: TlsResultsOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** One connection attempt's outcome (DeliverDeps.tlsOutcome). */
  record(o: TlsOutcome): void {
    if (o.result === null) return; // no TLS session to speak of (RFC 8460 counts sessions)
    const day = utcDay(this.now());
    const domain = o.domain.toLowerCase();
    if (this.publishesKnown(domain, day) === false) return;
    const row: TlsResultCount = {
      day,
      policyDomain: domain,
      policyType: o.policy.type,
      policyStrings: o.policy.strings,
      mxHosts: o.policy.mxHosts,
      result: o.result,
      sendingIp: o.sourceAddress ?? "",
      receivingMx: o.mxHost.toLowerCase(),
      receivingIp: o.address,
      detail: o.result === "success" ? "" : (o.detail ?? "").slice(0, 500),
      count: 1,
    };
    const key = [
      day,
      domain,
      row.policyType,
      row.policyStrings.join("\n"),
      row.mxHosts.join("\n"),
      row.result,
      row.sendingIp,
      row.receivingMx,
      row.receivingIp,
    ].join("\0");
    const have = this.pending.get(key);
    if (have) have.count++;
    else this.pending.set(key, row);
    if (this.pending.size >= this.opts.maxPendingRows) void this.flush();
  }

  /** Writes the counts of domains that publish a TLS-RPT record; one flush at a time. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushNow());
    return this.flushing;
  }

  private async flushNow(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    const keep: TlsResultCount[] = [];
    for (const r of batch) if (await this.publishes(r.policyDomain, r.day)) keep.push(r);
    try {
      await this.opts.store.addTlsResults(keep);
    } catch (error) {
      this.opts.log.warn("TLS-RPT counts not stored", { rows: keep.length, error: String(error) });
    }
  }

  /** What is known of the domain today without waiting: true, false or undefined (asking). */
  private publishesKnown(domain: string, day: string): boolean | undefined {
    const p = this.published.get(domain);
    if (p && p.day === day) return p.known;
    void this.publishes(domain, day);
    return undefined;
  }

  private publishes(domain: string, day: string): Promise<boolean> {
    const have = this.published.get(domain);
    if (have && have.day === day) return have.publishes;
    if (this.published.size >= MAX_DOMAINS) this.published.clear();
    const entry: Published = {
      day,
      publishes: lookupTlsRpt(this.opts.resolver, domain).then(
        (uris) => {
          entry.known = uris !== null;
          return entry.known;
        },
        (error) => {
          // DNS trouble: nothing kept for now, asked again next time.
          this.opts.log.info("TLS-RPT record lookup failed", { domain, error: String(error) });
          if (this.published.get(domain) === entry) this.published.delete(domain);
          return false;
        },
      ),
    };
    this.published.set(domain, entry);
    return entry.publishes;
  }
}
