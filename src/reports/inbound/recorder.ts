// The background reader of received reports: the filter (filter.ts) hands it the payloads of a
// report message it found, and it unpacks, parses and stores them one at a time, after the SMTP
// 250 went out. Its queue is bounded in count and octets (reports.queueMax, queueMaxBytes): past
// either, a payload is logged and skipped (the message itself was filed all the same).
//
// Only reports about a domain we host (or one of its subdomains) are stored: a report mailed to
// our postmaster about someone else's domain is logged and dropped. Each stored report also
// expires those past the retention (reports.retentionDays).
import type { Logger } from "../../log/logger.js";
import type { DirectoryStore, ReportStore } from "../../store/types.js";
import { UnpackError } from "./decompress.js";
import { ReportParseError } from "./errors.js";
import type { ReportPayload } from "./extract.js";
import { readReport } from "./read.js";
import type { ReportReader } from "./worker-reader.js";

export interface RecorderOptions {
  reports: ReportStore;
  directory: Pick<DirectoryStore, "getDomain">;
  log: Logger;
  limits: {
    maxDecompressedBytes: number;
    maxRecords: number;
    retentionDays: number;
    queueMax: number;
    queueMaxBytes: number;
  };
  /** Where reports are unpacked and parsed; default: on this thread (tests). */
  reader?: ReportReader;
  now?: () => Date;
}

interface Job {
  payload: ReportPayload;
  log: Logger;
}

export type ReadOutcome =
  | { kind: "stored"; id: number; created: boolean }
  | { kind: "dropped"; reason: string };

export class ReportRecorder {
  private readonly queue: Job[] = [];
  private queuedBytes = 0;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly now: () => Date;
  /** Called after each payload is dealt with (tests wait on it). */
  onOutcome: ((o: ReadOutcome) => void) | null = null;

  constructor(private readonly o: RecorderOptions) {
    this.now = o.now ?? (() => new Date());
  }

  /** False when the queue is full (the payload is logged and dropped). */
  /** `log` is the message's (with its cid). */
  enqueue(payload: ReportPayload, log: Logger): boolean {
    const l = this.o.limits;
    if (this.stopped) return false;
    if (this.queue.length >= l.queueMax || this.queuedBytes + payload.data.length > l.queueMaxBytes) {
      log.warn("report skipped: the queue of reports to read is full", {
        report: payload.name,
        queued: this.queue.length,
        queuedBytes: this.queuedBytes,
      });
      return false;
    }
    this.queue.push({ payload, log });
    this.queuedBytes += payload.data.length;
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });
    return true;
  }

  /** Waits for the queue to empty (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Takes no more; what is queued is dropped after the one being read. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    await this.idle();
    await this.o.reader?.close();
  }

  private async drain(): Promise<void> {
    // Bounded: each turn takes one job off a queue that holds at most queueMax.
    for (let job = this.queue.shift(); job && !this.stopped; job = this.queue.shift()) {
      this.queuedBytes -= job.payload.data.length;
      // Off the turn that queued it: the door's reply goes out first.
      await new Promise((r) => setImmediate(r));
      const outcome = await this.read(job);
      this.onOutcome?.(outcome);
    }
  }

  private async read(job: Job): Promise<ReadOutcome> {
    const { payload, log } = job;
    // job.log carries the message's correlation id (cid), the SMTP reply's id.
    const fields = { report: payload.name, kind: payload.kind };
    try {
      const report = await (this.o.reader?.read(payload, this.o.limits) ??
        readReport(payload, this.o.limits));
      const domain = report.kind === "dmarc" ? report.policy.domain : (report.policies[0]?.domain ?? "");
      if (report.kind === "tlsrpt" && report.policies.some((p) => p.domain !== domain))
        return this.drop(log, fields, "policies for several domains in one report");
      if (!(await this.hosted(domain)))
        return this.drop(log, fields, `not about a domain we host: ${domain}`);
      const saved = await this.o.reports.save(report, this.now());
      log.info(saved.created ? "report stored" : "report already stored", {
        ...fields,
        org: report.org,
        reportId: report.reportId,
        domain,
        id: saved.id,
      });
      await this.expire(log);
      return { kind: "stored", ...saved };
    } catch (error) {
      if (error instanceof UnpackError || error instanceof ReportParseError)
        return this.drop(log, fields, `${error.reason}: ${error.message}`);
      log.warn("report could not be stored", { ...fields, error });
      return { kind: "dropped", reason: String(error) };
    }
  }

  private drop(log: Logger, fields: Record<string, string>, reason: string): ReadOutcome {
    log.warn("report dropped", { ...fields, reason });
    return { kind: "dropped", reason };
  }

  /** The domain or one of its parents is hosted here. */
  private async hosted(domain: string): Promise<boolean> {
    const labels = domain.split(".");
    for (let i = 0; i < labels.length - 1 && i < 16; i++)
      if (await this.o.directory.getDomain(labels.slice(i).join("."))) return true;
    return false;
  }

  private async expire(log: Logger): Promise<void> {
    const before = new Date(this.now().getTime() - this.o.limits.retentionDays * 86_400_000);
    const n = await this.o.reports.deleteEndedBefore(before);
    if (n > 0) log.info("old reports removed", { count: n, endedBefore: before.toISOString() });
  }
}
