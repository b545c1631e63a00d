// The TLS-RPT aggregate report of one policy domain for one UTC day (RFC 8460 4): one "policies"
// entry per policy applied, each with its session counts and its failures by (result type,
// sending IP, receiving MX, receiving IP); gzipped and named as 5.1 says.
import { gzipSync } from "node:zlib";
import type { TlsResultCount } from "../../store/types.js";
import { dayRange } from "./day.js";
import { buildReportMail } from "./report-mail.js";

export interface TlsRptDocument {
  "organization-name": string;
  "date-range": { "start-datetime": string; "end-datetime": string };
  "contact-info": string;
  "report-id": string;
  policies: {
    policy: {
      "policy-type": string;
      "policy-string": string[];
      "policy-domain": string;
      "mx-host"?: string[];
    };
    summary: { "total-successful-session-count": number; "total-failure-session-count": number };
    "failure-details"?: {
      "result-type": string;
      "sending-mta-ip"?: string;
      "receiving-mx-hostname"?: string;
      "receiving-ip"?: string;
      "failed-session-count": number;
      "additional-information"?: string;
    }[];
  }[];
}

export interface TlsRptMeta {
  organization: string;
  contact: string;
  reportId: string;
  day: string;
  domain: string;
}

/** The report (RFC 8460 4.4) from one domain's rows of one day. */
export function buildTlsRptReport(rows: readonly TlsResultCount[], meta: TlsRptMeta): TlsRptDocument {
  const { start, end } = dayRange(meta.day);
  const byPolicy = new Map<string, TlsResultCount[]>();
  for (const r of rows) {
    const k = JSON.stringify([r.policyType, r.policyStrings, r.mxHosts]);
    const list = byPolicy.get(k) ?? [];
    list.push(r);
    byPolicy.set(k, list);
  }
  const policies = [...byPolicy.values()].map((list) => {
    const first = list[0]!;
    const ok = list.filter((r) => r.result === "success").reduce((n, r) => n + r.count, 0);
    const failures = list.filter((r) => r.result !== "success");
    const entry: TlsRptDocument["policies"][number] = {
      policy: {
        "policy-type": first.policyType,
        "policy-string": first.policyStrings,
        "policy-domain": meta.domain,
        ...(first.policyType === "sts" ? { "mx-host": first.mxHosts } : {}),
      },
      summary: {
        "total-successful-session-count": ok,
        "total-failure-session-count": failures.reduce((n, r) => n + r.count, 0),
      },
    };
    if (failures.length > 0)
      entry["failure-details"] = failures.map((r) => ({
        "result-type": r.result,
        ...(r.sendingIp ? { "sending-mta-ip": r.sendingIp } : {}),
        "receiving-mx-hostname": r.receivingMx,
        "receiving-ip": r.receivingIp,
        "failed-session-count": r.count,
        ...(r.detail ? { "additional-information": r.detail } : {}),
      }));
    return entry;
  });
  return {
    "organization-name": meta.organization,
    "date-range": {
      "start-datetime": new Date(start).toISOString().replace(/\.000Z$/, "Z"),
      "end-datetime": new Date(end).toISOString().replace(/\.000Z$/, "Z"),
    },
    "contact-info": meta.contact,
    "report-id": meta.reportId,
    policies,
  };
}

/** RFC 8460 5.1: sender "!" policy-domain "!" begin "!" end "!" unique-id ".json.gz". */
export function tlsRptFilename(submitter: string, meta: TlsRptMeta, unique: string): string {
  const { start, end } = dayRange(meta.day);
  return `${submitter}!${meta.domain}!${start / 1000}!${end / 1000}!${unique}.json.gz`;
}

export function gzipReport(report: TlsRptDocument): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(report), "utf8"));
}

/** RFC 8460 5.3: the report mailed to a mailto: rua. */
export function tlsRptMail(opts: {
  report: TlsRptDocument;
  gz: Buffer;
  filename: string;
  submitter: string;
  from: string;
  to: string;
  date: Date;
}): Buffer {
  const domain = opts.report.policies[0]?.policy["policy-domain"] ?? "";
  const id = opts.report["report-id"];
  return buildReportMail({
    from: opts.from,
    to: opts.to,
    subject: `Report Domain: ${domain} Submitter: ${opts.submitter} Report-ID: <${id}>`,
    fields: [`TLS-Report-Domain: ${domain}`, `TLS-Report-Submitter: ${opts.submitter}`],
    contentType: 'multipart/report; report-type="tlsrpt"',
    text: `This is an aggregate TLS report from ${opts.submitter} about mail to ${domain} on ${opts.report["date-range"]["start-datetime"].slice(0, 10)} (RFC 8460).`,
    attachment: { type: "application/tlsrpt+gzip", filename: opts.filename, data: opts.gz },
    hostname: opts.submitter,
    date: opts.date,
  });
}
