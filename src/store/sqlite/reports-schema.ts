// Migration v21: aggregate reports received from other operators (issue 21), read and written by
// reports.ts.
//
//  - received_reports: one row per report, unique per (kind, org, report_id) so a report mailed
//    twice (RFC 7489 §7.2.1.1 lets a reporter resend) is stored once. The totals the list shows
//    are kept on the row (the list never reads the records); `detail` is the report's JSON
//    without its rows (DMARC policy_published; TLS-RPT policies with their counts).
//  - received_report_rows: the rows, in report order: DMARC <record>s (source IP, count, whether
//    DMARC passed and header_from as columns, for the sources summary) or TLS-RPT failure
//    details; `data` is the row's JSON. They go with their report (ON DELETE CASCADE).
// Times are milliseconds since the epoch.

export const reportsMigration = `
CREATE TABLE IF NOT EXISTS received_reports (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  org TEXT NOT NULL,
  report_id TEXT NOT NULL,
  domain TEXT NOT NULL,
  begin_at INTEGER NOT NULL,
  end_at INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  total INTEGER NOT NULL,
  passed INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  dkim_pass INTEGER NOT NULL,
  spf_pass INTEGER NOT NULL,
  failure_types TEXT NOT NULL,
  row_count INTEGER NOT NULL,
  detail TEXT NOT NULL,
  UNIQUE (kind, org, report_id)
);
CREATE INDEX IF NOT EXISTS received_reports_domain_end ON received_reports(domain, end_at);
CREATE INDEX IF NOT EXISTS received_reports_end ON received_reports(end_at);

CREATE TABLE IF NOT EXISTS received_report_rows (
  report INTEGER NOT NULL REFERENCES received_reports(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  source_ip TEXT,
  count INTEGER NOT NULL,
  pass INTEGER NOT NULL,
  header_from TEXT,
  data TEXT NOT NULL,
  PRIMARY KEY (report, seq)
) WITHOUT ROWID;
`;
