// The DMARC aggregate report of one author domain for one UTC day (RFC 7489 7.2, Appendix C's
// schema): report_metadata, the policy as published, one <record> per counted row; gzipped
// (7.2.1.1) and mailed with the Subject and file name 7.2.1.1 prescribes.
import { gzipSync } from "node:zlib";
import type { DmarcRecordCount } from "../../store/types.js";
import { dayRange } from "./day.js";
import type { PublishedPolicy } from "./dmarc-policy.js";
import { buildReportMail } from "./report-mail.js";

export interface DmarcReportMeta {
  organization: string;
  contact: string;
  reportId: string;
  day: string;
  policy: PublishedPolicy;
}

const escapes: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};
const esc = (s: string | number) => String(s).replace(/[&<>"']/g, (c) => escapes[c] ?? c);
const el = (name: string, value: string | number) => `<${name}>${esc(value)}</${name}>`;

export function buildDmarcReport(rows: readonly DmarcRecordCount[], meta: DmarcReportMeta): string {
  const { start, end } = dayRange(meta.day);
  const p = meta.policy;
  const records = rows.map((r) => {
    const dkim = r.dkimResults
      .map((d) => `<dkim>${el("domain", d.domain)}${el("result", d.result)}</dkim>`)
      .join("");
    const spf = `<spf>${el("domain", r.spfDomain)}${el("result", r.spfResult)}</spf>`;
    return (
      "<record>" +
      `<row>${el("source_ip", r.sourceIp)}${el("count", r.count)}` +
      `<policy_evaluated>${el("disposition", r.disposition)}${el("dkim", r.dkim)}${el("spf", r.spf)}</policy_evaluated></row>` +
      `<identifiers>${el("header_from", r.headerFrom)}${r.envelopeFrom ? el("envelope_from", r.envelopeFrom) : ""}</identifiers>` +
      `<auth_results>${dkim}${spf}</auth_results>` +
      "</record>"
    );
  });
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<feedback>' +
    "<version>1.0</version>" +
    `<report_metadata>${el("org_name", meta.organization)}${el("email", meta.contact)}${el("report_id", meta.reportId)}` +
    `<date_range>${el("begin", start / 1000)}${el("end", end / 1000)}</date_range></report_metadata>` +
    `<policy_published>${el("domain", p.domain)}${el("adkim", p.adkim)}${el("aspf", p.aspf)}${el("p", p.p)}${el("sp", p.sp)}${el("pct", p.pct)}</policy_published>` +
    `${records.join("\n")}</feedback>\n`
  );
}

/** RFC 7489 7.2.1.1: receiver "!" policy-domain "!" begin "!" end "!" unique-id ".xml.gz". */
export function dmarcFilename(receiver: string, domain: string, day: string, unique: string): string {
  const { start, end } = dayRange(day);
  return `${receiver}!${domain}!${start / 1000}!${end / 1000}!${unique}.xml.gz`;
}

export function gzipXml(xml: string): Buffer {
  return gzipSync(Buffer.from(xml, "utf8"));
}

/** RFC 7489 7.2.1.1: Subject "Report Domain: <domain> Submitter: <us> Report-ID: <id>". */
export function dmarcMail(opts: {
  domain: string;
  submitter: string;
  reportId: string;
  gz: Buffer;
  filename: string;
  from: string;
  to: string;
  date: Date;
}): Buffer {
  return buildReportMail({
    from: opts.from,
    to: opts.to,
    subject: `Report Domain: ${opts.domain} Submitter: ${opts.submitter} Report-ID: <${opts.reportId}>`,
    fields: [],
    contentType: "multipart/mixed",
    text: `This is a DMARC aggregate report from ${opts.submitter} about mail from ${opts.domain} (RFC 7489).`,
    attachment: { type: "application/gzip", filename: opts.filename, data: opts.gz },
    hostname: opts.submitter,
    date: opts.date,
  });
}
