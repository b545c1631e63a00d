// The reports we send, put together for the app (src/app/start.ts): the TLS-RPT counter the
// delivery engine feeds, the DMARC counter the post office feeds (only when dmarcSend is on:
// otherwise nothing is counted at all), one flush timer for both, and the daily sender.
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import type { Config } from "../../config/schema.js";
import type { DnsResolver } from "../../dns/types.js";
import type { Logger } from "../../log/logger.js";
import type { TlsOutcome } from "../../outbound/tls-outcome.js";
import type { PostOffice } from "../../postoffice/post-office.js";
import type { Store } from "../../store/types.js";
import { DmarcCounts, type DmarcObservation, sendDmarcReports } from "./dmarc-send.js";
import { ReportSender } from "./sender.js";
import { TlsResults } from "./tls-results.js";

export interface ReportSending {
  /** DeliverDeps.tlsOutcome: one outbound connection's TLS outcome. */
  tlsOutcome(o: TlsOutcome): void;
  /** One inbound message after the filters (null when DMARC sending is off). */
  dmarcObserved: ((o: DmarcObservation) => void) | null;
  /** Writes the counts held in memory. */
  flush(): Promise<void>;
  /** Sends the previous UTC day's reports if due at `t` (ms) and not sent yet. */
  sendDue(t: number): Promise<{ tlsrpt: number; dmarc: number }>;
  start(): void;
  stop(): Promise<void>;
}

export interface ReportSendingDeps {
  store: Pick<Store, "reportSending" | "directory">;
  config: Pick<Config, "reports" | "server" | "outbound">;
  resolver: DnsResolver;
  log: Logger;
  postOffice: Pick<PostOffice, "postSystem">;
  now?: () => number;
}

export function createReportSending(deps: ReportSendingDeps): ReportSending {
  const cfg = deps.config.reports;
  const now = deps.now ?? Date.now;
  const log = deps.log.child({ proto: "reports" });
  const store = deps.store.reportSending;
  const tls = new TlsResults({
    store,
    resolver: deps.resolver,
    log,
    maxPendingRows: cfg.maxPendingRows,
    now,
  });
  const dmarc = cfg.dmarcSend ? new DmarcCounts(store, log, cfg.maxPendingRows, now) : null;
  const flush = async () => {
    await Promise.all([tls.flush(), dmarc?.flush()]);
  };
  const sender = new ReportSender({
    store: deps.store,
    resolver: deps.resolver,
    log,
    config: deps.config,
    postOffice: deps.postOffice,
    flush,
    // The CAs outbound delivery trusts (outbound.caFile added to Node's roots) for https: rua.
    ca: deps.config.outbound.caFile
      ? [...rootCertificates, readFileSync(deps.config.outbound.caFile, "utf8")]
      : undefined,
    now,
    dmarc: (day, env) =>
      sendDmarcReports(
        {
          store,
          resolver: deps.resolver,
          log,
          postOffice: deps.postOffice,
          maxRuaPerDomain: cfg.maxRuaPerDomain,
          maxReportsPerDay: cfg.dmarcMaxReportsPerDay,
        },
        day,
        env,
      ),
  });
  let timer: NodeJS.Timeout | null = null;
  return {
    tlsOutcome: cfg.tlsrptSend ? (o) => tls.record(o) : () => {},
    dmarcObserved: dmarc ? (o) => dmarc.observe(o) : null,
    flush,
    sendDue: (t) => sender.sendDue(t),
    start() {
      if (timer) return;
      // TlsResults flushes itself when full; this writes both counters on the cadence.
      timer = setInterval(() => void flush(), cfg.flushIntervalMs);
      timer.unref();
      sender.start();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await sender.stop();
      await flush();
    },
  };
}
