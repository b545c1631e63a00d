// TLS-RPT aggregate reports (RFC 8460 §4): the JSON document as a typed report. JSON.parse is
// linear; every field is checked for its type (§4.4's schema), and a report missing a required
// one is refused rather than stored half-read.
import type { TlsRptFailure, TlsRptPolicy, TlsRptReport } from "../../store/types.js";
import { malformed, ReportParseError } from "./errors.js";
import { count as digits, list, obj, optIp, optText, text } from "./fields.js";

export interface ParseLimits {
  maxRecords: number;
}

export function parseTlsRpt(json: string, limits: ParseLimits): TlsRptReport {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (error) {
    throw malformed(`not JSON: ${(error as Error).message}`);
  }
  const r = obj(doc, "report");
  const range = obj(r["date-range"], "date-range");
  const policies = r.policies;
  if (!Array.isArray(policies) || policies.length === 0) throw malformed("policies: missing or empty");
  let rows = 0;
  for (const p of policies) rows += list(obj(p, "policy")["failure-details"]).length;
  if (rows + policies.length > limits.maxRecords)
    throw new ReportParseError("too-many-records", `${rows} failure details, more than ${limits.maxRecords}`);
  const begin = datetime(range["start-datetime"], "date-range.start-datetime");
  const end = datetime(range["end-datetime"], "date-range.end-datetime");
  if (end < begin) throw malformed("date-range ends before it begins");
  return {
    kind: "tlsrpt",
    org: text(r["organization-name"], "organization-name"),
    contact: optText(r["contact-info"], "contact-info"),
    reportId: text(r["report-id"], "report-id"),
    begin,
    end,
    policies: policies.map((p, i) => policy(obj(p, `policies[${i}]`), i)),
  };
}

function policy(p: Record<string, unknown>, i: number): TlsRptPolicy {
  const at = `policies[${i}]`;
  const pol = obj(p.policy, `${at}.policy`);
  const summary = obj(p.summary, `${at}.summary`);
  const strings = pol["policy-string"] === undefined ? [] : pol["policy-string"];
  if (!Array.isArray(strings)) throw malformed(`${at}.policy.policy-string: not a list`);
  const mx = pol["mx-host"] === undefined ? [] : pol["mx-host"];
  // §4.4 has mx-host a list; some reporters send one string.
  const mxHosts = typeof mx === "string" ? [mx] : mx;
  if (!Array.isArray(mxHosts)) throw malformed(`${at}.policy.mx-host: not a list`);
  const type = text(pol["policy-type"], `${at}.policy.policy-type`).toLowerCase();
  if (type !== "sts" && type !== "tlsa" && type !== "no-policy-found")
    throw malformed(`${at}.policy.policy-type: unknown type ${type.slice(0, 32)}`);
  return {
    type,
    strings: strings.map((s, j) => text(s, `${at}.policy.policy-string[${j}]`)),
    domain: text(pol["policy-domain"], `${at}.policy.policy-domain`).toLowerCase().replace(/\.$/, ""),
    mxHosts: mxHosts.map((s, j) => text(s, `${at}.policy.mx-host[${j}]`)),
    successful: count(
      summary["total-successful-session-count"],
      `${at}.summary.total-successful-session-count`,
    ),
    failed: count(summary["total-failure-session-count"], `${at}.summary.total-failure-session-count`),
    failures: list(p["failure-details"]).map((f, j) =>
      failure(obj(f, `${at}.failure-details[${j}]`), `${at}.failure-details[${j}]`),
    ),
  };
}

function failure(f: Record<string, unknown>, at: string): TlsRptFailure {
  return {
    resultType: text(f["result-type"], `${at}.result-type`).toLowerCase(),
    sendingMtaIp: optIp(f["sending-mta-ip"], `${at}.sending-mta-ip`),
    receivingMxHostname: optText(f["receiving-mx-hostname"], `${at}.receiving-mx-hostname`),
    receivingIp: optIp(f["receiving-ip"], `${at}.receiving-ip`),
    failedSessionCount: count(f["failed-session-count"], `${at}.failed-session-count`),
    additionalInformation: optText(f["additional-information"], `${at}.additional-information`),
    failureReasonCode: optText(f["failure-reason-code"], `${at}.failure-reason-code`),
  };
}

/** RFC 3339 date-time (§4.4: "date-time" of RFC 3339 §5.6). */
function datetime(v: unknown, name: string): Date {
  const t = text(v, name);
  if (!/^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)$/i.test(t))
    throw malformed(`${name}: not an RFC 3339 date-time`);
  const d = new Date(t.replace(" ", "T"));
  if (!Number.isFinite(d.getTime())) throw malformed(`${name}: not a valid date`);
  return d;
}

/** A JSON number (§4.4: the counts are integers, not strings). */
function count(v: unknown, name: string): number {
  if (typeof v !== "number") throw malformed(`${name}: not a number`);
  return digits(v, name);
}
