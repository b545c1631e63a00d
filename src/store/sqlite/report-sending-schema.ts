// Migration v22: what we report to other operators (ReportSendingStore, report-sending.ts).
//
//  - tlsrpt_results: outbound TLS sessions counted for TLS-RPT (RFC 8460 4.4), one row per
//    (UTC day, policy domain, policy, result type, sending IP, receiving MX, receiving IP). The
//    policy's strings and mx patterns are JSON arrays, part of the key (a policy changed during
//    the day is a second policy in the report, RFC 8460 4.4 "policies").
//  - dmarc_records: inbound messages counted for DMARC aggregate reports (RFC 7489 7.2, Appendix
//    C "row"/"identifiers"/"auth_results"), one row per (UTC day, header From domain, source IP,
//    disposition, evaluated DKIM and SPF, the raw results).
//  - reports_sent: one row per report we sent (kind, domain, day): one report per domain per day,
//    and the day's total for the overall rate limit.
// Days are "YYYY-MM-DD" (UTC); times are milliseconds since the epoch.

export const reportSendingMigration = `
CREATE TABLE IF NOT EXISTS tlsrpt_results (
  day TEXT NOT NULL,
  policy_domain TEXT NOT NULL,
  policy_type TEXT NOT NULL,
  policy_strings TEXT NOT NULL,
  mx_hosts TEXT NOT NULL,
  result TEXT NOT NULL,
  sending_ip TEXT NOT NULL,
  receiving_mx TEXT NOT NULL,
  receiving_ip TEXT NOT NULL,
  detail TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (day, policy_domain, policy_type, policy_strings, mx_hosts, result, sending_ip, receiving_mx, receiving_ip)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS dmarc_records (
  day TEXT NOT NULL,
  header_from TEXT NOT NULL,
  source_ip TEXT NOT NULL,
  envelope_from TEXT NOT NULL,
  disposition TEXT NOT NULL,
  dkim TEXT NOT NULL,
  spf TEXT NOT NULL,
  dkim_results TEXT NOT NULL,
  spf_domain TEXT NOT NULL,
  spf_result TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (day, header_from, source_ip, envelope_from, disposition, dkim, spf, dkim_results, spf_domain, spf_result)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS reports_sent (
  kind TEXT NOT NULL,
  domain TEXT NOT NULL,
  day TEXT NOT NULL,
  report_id TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  PRIMARY KEY (kind, domain, day)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS reports_sent_day ON reports_sent(kind, day);
`;
