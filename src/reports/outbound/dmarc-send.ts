// DMARC aggregate reports we send (RFC 7489 7.2), off unless [reports] dmarcSend. Counting: each
// message from another server whose author domain has a DMARC record, and that the filters did
// not classify as spam (reporting spam runs back to its forged domains), adds one to its row
// (UTC day, header From domain, source IP, disposition, evaluated and raw DKIM/SPF) in memory;
// rows go to the store with the TLS-RPT counts. Sending: once a day, per author domain, to the
// rua addresses of its record, but only those in its own organisational domain or that
// authorise it (7.1), at most maxRuaPerDomain of them, within their "!size", and at most
// dmarcMaxReportsPerDay reports in all.
import { randomBytes } from "node:crypto";
import type { DnsResolver } from "../../dns/types.js";
import { registeredDomain } from "../../dnsbl/registered-domain.js";
import type { Logger } from "../../log/logger.js";
import type { PostOffice } from "../../postoffice/post-office.js";
import type { AuthSummary } from "../../postoffice/types.js";
import type { DmarcRecordCount, ReportSendingStore } from "../../store/types.js";
import { utcDay } from "./day.js";
import { lookupDmarcPolicy, ruaAuthorised } from "./dmarc-policy.js";
import { buildDmarcReport, dmarcFilename, dmarcMail, gzipXml } from "./dmarc-report.js";
import type { SendEnv } from "./sender.js";

/** One message as the post office saw it after its filters. */
export interface DmarcObservation {
  ip: string;
  mailFrom: string;
  auth: AuthSummary;
  /** Scored as spam or filed as junk: not counted. */
  spam: boolean;
}

/** The row a message counts in, or null when it is not counted (no DMARC record, spam). */
export function dmarcRow(o: DmarcObservation, day: string): DmarcRecordCount | null {
  const d = o.auth.dmarc;
  if (o.spam || !d || !d.domain || d.result === "none" || !o.ip) return null;
  const headerFrom = d.domain.toLowerCase();
  const envelopeFrom = o.mailFrom.slice(o.mailFrom.lastIndexOf("@") + 1).toLowerCase();
  const dkimPass = o.auth.dkim.some((k) => k.aligned && k.result === "pass");
  // RFC 7489 3.1.2: SPF counts when it passed for an aligned (relaxed: same organisational
  // domain) MAIL FROM; a DMARC pass without aligned DKIM can only have come from SPF.
  const orgFrom = registeredDomain(headerFrom);
  const spfAligned = envelopeFrom !== "" && orgFrom !== null && registeredDomain(envelopeFrom) === orgFrom;
  const spfPass = (o.auth.spf === "pass" && spfAligned) || (d.result === "pass" && !dkimPass);
  const policy = d.policy.toLowerCase();
  const disposition =
    d.result === "pass"
      ? "none"
      : policy === "quarantine"
        ? "quarantine"
        : policy === "reject"
          ? "reject"
          : "none";
  return {
    day,
    headerFrom,
    sourceIp: o.ip,
    envelopeFrom,
    disposition,
    dkim: dkimPass ? "pass" : "fail",
    spf: spfPass ? "pass" : "fail",
    // An unsigned message's one "none" result names no domain: no <dkim> element for it.
    dkimResults: o.auth.dkim
      .filter((k) => k.domain)
      .map((k) => ({ domain: k.domain.toLowerCase(), result: k.result })),
    spfDomain: envelopeFrom,
    spfResult: o.auth.spf,
    count: 1,
  };
}

/** Counts in memory until flushed (with the TLS-RPT counts, service.ts). */
export class DmarcCounts {
  private pending = new Map<string, DmarcRecordCount>();
  private flushing: Promise<void> = Promise.resolve();
  constructor(
    private readonly store: ReportSendingStore,
    private readonly log: Logger,
    private readonly maxPendingRows: number,
    private readonly now: () => number,
  ) {}

  observe(o: DmarcObservation): void {
    const row = dmarcRow(o, utcDay(this.now()));
    if (!row) return;
    const key = JSON.stringify([
      row.day,
      row.headerFrom,
      row.sourceIp,
      row.envelopeFrom,
      row.disposition,
      row.dkim,
      row.spf,
      row.dkimResults,
      row.spfResult,
    ]);
    const have = this.pending.get(key);
    if (have) have.count++;
    else this.pending.set(key, row);
    if (this.pending.size >= this.maxPendingRows) void this.flush();
  }

  /** Writes the counts; one flush at a time, as TlsResults: a flush called while the timer's is
   *  still writing returns only once those rows are stored too, so a read after it sees them. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushNow());
    return this.flushing;
  }

  private async flushNow(): Promise<void> {
    if (this.pending.size === 0) return;
    const rows = [...this.pending.values()];
    this.pending = new Map();
    try {
      await this.store.addDmarcRecords(rows);
    } catch (error) {
      this.log.warn("DMARC report counts not stored", { rows: rows.length, error: String(error) });
    }
  }
}

export interface DmarcSendDeps {
  store: ReportSendingStore;
  resolver: DnsResolver;
  log: Logger;
  postOffice: Pick<PostOffice, "postSystem">;
  maxRuaPerDomain: number;
  maxReportsPerDay: number;
}

/** Sends the day's DMARC reports; how many reports went (to at least one address). */
export async function sendDmarcReports(deps: DmarcSendDeps, day: string, env: SendEnv): Promise<number> {
  const rows = await deps.store.dmarcRecords(day);
  const byDomain = new Map<string, DmarcRecordCount[]>();
  for (const r of rows) {
    const list = byDomain.get(r.headerFrom) ?? [];
    list.push(r);
    byDomain.set(r.headerFrom, list);
  }
  let sent = 0;
  for (const [domain, list] of byDomain) {
    if ((await deps.store.sentCount("dmarc", day)) >= deps.maxReportsPerDay) {
      deps.log.warn("DMARC reports: daily limit reached", {
        day,
        limit: deps.maxReportsPerDay,
        left: byDomain.size - sent,
      });
      break;
    }
    try {
      if (await sendOne(deps, domain, day, list, env)) sent++;
    } catch (error) {
      deps.log.warn("DMARC report failed", { domain, day, error: String(error) });
    }
  }
  return sent;
}

async function sendOne(
  deps: DmarcSendDeps,
  domain: string,
  day: string,
  rows: DmarcRecordCount[],
  env: SendEnv,
): Promise<boolean> {
  const policy = await lookupDmarcPolicy(deps.resolver, domain);
  if (!policy || policy.rua.length === 0) return false;
  const allowed: typeof policy.rua = [];
  for (const rua of policy.rua.slice(0, deps.maxRuaPerDomain)) {
    const ruaDomain = rua.address.slice(rua.address.lastIndexOf("@") + 1);
    if (await ruaAuthorised(deps.resolver, domain, ruaDomain)) allowed.push(rua);
    else
      deps.log.info("DMARC report: external rua not authorised, skipped (RFC 7489 7.1)", {
        domain,
        rua: rua.address,
      });
  }
  if (allowed.length === 0) return false;
  const unique = randomBytes(8).toString("hex");
  const reportId = `${day}.${unique}@${env.submitter}`;
  const xml = buildDmarcReport(rows, {
    organization: env.organization,
    contact: env.contact,
    reportId,
    day,
    policy,
  });
  const gz = gzipXml(xml);
  const filename = dmarcFilename(env.submitter, domain, day, unique);
  const mails: { to: string; body: Buffer }[] = [];
  for (const rua of allowed) {
    const body = dmarcMail({
      domain,
      submitter: env.submitter,
      reportId,
      gz,
      filename,
      from: env.contact,
      to: rua.address,
      date: env.now,
    });
    // RFC 7489 7.2.1.1: a report larger than the address's "!size" is not sent.
    if (rua.maxBytes !== null && body.length > rua.maxBytes)
      deps.log.info("DMARC report larger than the rua's size limit, not sent", {
        domain,
        rua: rua.address,
        bytes: body.length,
        limit: rua.maxBytes,
      });
    else mails.push({ to: rua.address, body });
  }
  if (mails.length === 0) return false;
  if (!(await deps.store.markSent({ kind: "dmarc", domain, day, reportId, at: env.now }))) return false;
  for (const { to, body } of mails) {
    try {
      const posted = await deps.postOffice.postSystem({ body, to, accountId: null, notify: ["NEVER"] });
      if (!posted) throw new Error("the address names nobody");
      deps.log.info("DMARC report sent", { domain, day, to, reportId, rows: rows.length });
    } catch (error) {
      deps.log.warn("DMARC report not delivered", { domain, day, to, error: String(error) });
    }
  }
  return true;
}
