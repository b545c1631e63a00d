// Received DMARC aggregate and TLS-RPT reports (issue 21): the filter that finds them at delivery
// and the background reader that stores them, built from the [reports] config.

import type { SectionValue } from "../../config/dsl.js";
import type { Logger } from "../../log/logger.js";
import type { Filter } from "../../postoffice/types.js";
import type { Store } from "../../store/types.js";
import type { reportsSection } from "../config.js";
import { reportFilter } from "./filter.js";
import { ReportRecorder } from "./recorder.js";
import { WorkerReportReader } from "./worker-reader.js";

export interface ReceivedReports {
  filters: Filter[];
  recorder: ReportRecorder | null;
}

export function receivedReports(
  config: { reports: SectionValue<typeof reportsSection>; mailauth: { recordReportAddress: string } },
  deps: { store: Pick<Store, "reports" | "directory">; log: Logger },
): ReceivedReports {
  const c = config.reports;
  if (!c.receive) return { filters: [], recorder: null };
  const recorder = new ReportRecorder({
    reports: deps.store.reports,
    directory: deps.store.directory,
    log: deps.log,
    limits: c,
    reader: new WorkerReportReader({ timeoutMs: c.readTimeoutSec * 1000, heapMb: c.readHeapMb }),
  });
  const filter = reportFilter({
    recorder,
    directory: deps.store.directory,
    log: deps.log,
    reportAddress: config.mailauth.recordReportAddress,
    maxAttachmentBytes: c.maxAttachmentBytes,
    keepMessages: c.keepMessages,
  });
  return { filters: [filter], recorder };
}
