// The daily job that sends our aggregate reports about the previous UTC day: TLS-RPT (RFC 8460)
// to every domain with counted sessions that still publishes a TLS-RPT record, and, when
// [reports] dmarcSend is on, DMARC aggregate reports (RFC 7489 7.2, dmarc-send.ts). Each report
// is claimed in the store before it goes (ReportSendingStore.markSent), so one domain gets one
// report per day whichever process or restart runs the job; a failure to send is logged, not
// retried (a report is advice, and the next day brings the next one). Mail goes through the post
// office's system door (DKIM-signed, queued, from the null sender: a report never bounces, RFC
// 5321 4.5.5) and asks for no DSN (NOTIFY=NEVER).

import { randomBytes } from "node:crypto";
import type { Config } from "../../config/schema.js";
import type { DnsResolver } from "../../dns/types.js";
import type { Logger } from "../../log/logger.js";
import type { PostOffice } from "../../postoffice/post-office.js";
import type { Store, TlsResultCount } from "../../store/types.js";
import { daysBefore, previousDay, utcDay } from "./day.js";
import { postReport } from "./https-post.js";
import { lookupTlsRpt } from "./tlsrpt-record.js";
import { buildTlsRptReport, gzipReport, tlsRptFilename, tlsRptMail } from "./tlsrpt-report.js";

export interface ReportSenderDeps {
  store: Pick<Store, "reportSending" | "directory">;
  resolver: DnsResolver;
  log: Logger;
  config: Pick<Config, "reports" | "server">;
  postOffice: Pick<PostOffice, "postSystem">;
  /** Written before the day's reports are read (the recorders' in-memory counts). */
  flush?: () => Promise<void>;
  /** Sends the DMARC reports of a day (dmarc-send.ts), when DMARC sending is on. */
  dmarc?: (day: string, env: SendEnv) => Promise<number>;
  /** Trusted CAs for https: rua; undefined = Node's roots. */
  ca?: string[];
  now?: () => number;
}

/** What each kind of report needs to go out. */
export interface SendEnv {
  organization: string;
  submitter: string;
  /** Our address in the reports (contact-info, From). */
  contact: string;
  now: Date;
}

/** How often the job looks whether a day's reports are due (they go once, at sendHourUtc). */
const CHECK_MS = 5 * 60_000;

export class ReportSender {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(private readonly deps: ReportSenderDeps) {
    this.now = deps.now ?? Date.now;
    this.log = deps.log.child({ proto: "reports" });
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sendDue(this.now()), CHECK_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running.catch(() => undefined);
  }

  /** Sends the reports of the day before `t`'s UTC day if `t` is past sendHourUtc and they have
   *  not gone yet; how many went. One run at a time. */
  sendDue(t: number): Promise<{ tlsrpt: number; dmarc: number }> {
    const run = this.running.catch(() => undefined).then(() => this.run(t));
    this.running = run;
    return run;
  }

  private async run(t: number): Promise<{ tlsrpt: number; dmarc: number }> {
    const cfg = this.deps.config.reports;
    const sent = { tlsrpt: 0, dmarc: 0 };
    if (new Date(t).getUTCHours() < cfg.sendHourUtc) return sent;
    const today = utcDay(t);
    const day = previousDay(today);
    try {
      await this.deps.flush?.();
      const env = await this.env(new Date(t));
      if (cfg.tlsrptSend) sent.tlsrpt = await this.sendTlsRpt(day, env);
      if (cfg.dmarcSend && this.deps.dmarc) sent.dmarc = await this.deps.dmarc(day, env);
      await this.deps.store.reportSending.sweep(daysBefore(today, cfg.sentRetentionDays));
    } catch (error) {
      this.log.error("sending reports failed", { day, error: String(error) });
    }
    return sent;
  }

  private async env(now: Date): Promise<SendEnv> {
    const hostname = this.deps.config.server.hostname;
    const domains = (await this.deps.store.directory.listDomains()).map((d) => d.name);
    // The hosted domain the server's name is in, else the first one.
    const primary =
      domains.find((d) => hostname === d || hostname.endsWith(`.${d}`)) ?? domains[0] ?? hostname;
    return {
      organization: this.deps.config.reports.organizationName || hostname,
      submitter: hostname,
      contact: `postmaster@${primary}`,
      now,
    };
  }

  private async sendTlsRpt(day: string, env: SendEnv): Promise<number> {
    const rows = await this.deps.store.reportSending.tlsResults(day);
    const byDomain = new Map<string, TlsResultCount[]>();
    for (const r of rows) {
      const list = byDomain.get(r.policyDomain) ?? [];
      list.push(r);
      byDomain.set(r.policyDomain, list);
    }
    let sent = 0;
    for (const [domain, list] of byDomain) {
      try {
        if (await this.sendOneTlsRpt(domain, day, list, env)) sent++;
      } catch (error) {
        this.log.warn("TLS-RPT report failed", { domain, day, error: String(error) });
      }
    }
    return sent;
  }

  private async sendOneTlsRpt(
    domain: string,
    day: string,
    rows: TlsResultCount[],
    env: SendEnv,
  ): Promise<boolean> {
    const cfg = this.deps.config.reports;
    // The record as it is now (RFC 8460 3): the domain may have stopped asking.
    const uris = await lookupTlsRpt(this.deps.resolver, domain);
    if (!uris) {
      this.log.info("TLS-RPT: no record any more, no report", { domain, day });
      return false;
    }
    const unique = randomBytes(8).toString("hex");
    const reportId = `${day}.${unique}@${env.submitter}`;
    if (
      !(await this.deps.store.reportSending.markSent({ kind: "tlsrpt", domain, day, reportId, at: env.now }))
    )
      return false; // already sent (another process, or before a restart)
    const meta = { organization: env.organization, contact: env.contact, reportId, day, domain };
    const report = buildTlsRptReport(rows, meta);
    const gz = gzipReport(report);
    const filename = tlsRptFilename(env.submitter, meta, unique);
    const used = uris.slice(0, cfg.maxRuaPerDomain);
    if (uris.length > used.length)
      this.log.info("TLS-RPT: more report addresses than maxRuaPerDomain", {
        domain,
        skipped: uris.length - used.length,
      });
    for (const uri of used) {
      const to = uri.kind === "mailto" ? uri.address : uri.url;
      try {
        if (uri.kind === "https") {
          await postReport(uri.url, gz, "application/tlsrpt+gzip", {
            resolver: this.deps.resolver,
            timeoutMs: cfg.httpsTimeoutMs,
            ca: this.deps.ca,
          });
        } else {
          const body = tlsRptMail({
            report,
            gz,
            filename,
            submitter: env.submitter,
            from: env.contact,
            to,
            date: env.now,
          });
          const posted = await this.deps.postOffice.postSystem({
            body,
            to,
            accountId: null,
            notify: ["NEVER"],
          });
          if (!posted) throw new Error("the address names nobody");
        }
        this.log.info("TLS-RPT report sent", { domain, day, to, reportId, policies: report.policies.length });
      } catch (error) {
        this.log.warn("TLS-RPT report not delivered", { domain, day, to, error: String(error) });
      }
    }
    return true;
  }
}
