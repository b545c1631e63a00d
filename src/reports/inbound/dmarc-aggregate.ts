// DMARC aggregate reports (RFC 7489 §7.2, the XML schema of Appendix C; also the namespaced
// form of the DMARCbis drafts): the <feedback> document as a typed report.
//
// XML is read by fast-xml-parser, which scans in one linear pass; entity processing is off, so
// neither external entities (XXE) nor nested internal ones (billion laughs) are ever expanded: an
// entity reference other than the five predefined ones and character references stays as the
// literal text "&name;".
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { DmarcAggregateReport, DmarcRecord } from "../../store/types.js";
import { malformed, ReportParseError } from "./errors.js";
import { count, ip, list, obj, optText, text } from "./fields.js";

const repeated = new Set([
  "feedback.record",
  "feedback.record.auth_results.dkim",
  "feedback.record.auth_results.spf",
]);

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  processEntities: false,
  htmlEntities: false,
  removeNSPrefix: true,
  isArray: (_name, jpath) => repeated.has(String(jpath)),
});

export interface ParseLimits {
  maxRecords: number;
}

export function parseDmarcAggregate(xml: string, limits: ParseLimits): DmarcAggregateReport {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw malformed(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  let parsed: unknown;
  try {
    parsed = parser.parse(xml);
  } catch (error) {
    // fast-xml-parser refuses what it will not do (an external entity, for one).
    throw malformed(`XML not read: ${(error as Error).message}`);
  }
  const doc = obj(parsed, "document");
  const feedback = obj(doc.feedback, "feedback");
  const meta = obj(feedback.report_metadata, "report_metadata");
  const range = obj(meta.date_range, "report_metadata.date_range");
  const published = obj(feedback.policy_published, "policy_published");
  const rows = list(feedback.record);
  if (rows.length > limits.maxRecords)
    throw new ReportParseError("too-many-records", `${rows.length} records, more than ${limits.maxRecords}`);
  const begin = count(range.begin, "date_range.begin");
  const end = count(range.end, "date_range.end");
  if (end < begin) throw malformed("date_range ends before it begins");
  const pct = optText(published.pct, "policy_published.pct");
  return {
    kind: "dmarc",
    org: xmlText(text(meta.org_name, "report_metadata.org_name")),
    email: opt(meta.email, "report_metadata.email"),
    reportId: xmlText(text(meta.report_id, "report_metadata.report_id")),
    begin: new Date(begin * 1000),
    end: new Date(end * 1000),
    policy: {
      domain: domain(published.domain, "policy_published.domain"),
      adkim: opt(published.adkim, "policy_published.adkim"),
      aspf: opt(published.aspf, "policy_published.aspf"),
      p: xmlText(text(published.p, "policy_published.p")),
      sp: opt(published.sp, "policy_published.sp"),
      pct: pct === null ? null : count(pct, "policy_published.pct"),
    },
    records: rows.map((r, i) => record(obj(r, `record ${i + 1}`), i + 1)),
  };
}

function record(r: Record<string, unknown>, n: number): DmarcRecord {
  const at = `record ${n}`;
  const row = obj(r.row, `${at} row`);
  const evaluated = obj(row.policy_evaluated, `${at} policy_evaluated`);
  const ids = obj(r.identifiers, `${at} identifiers`);
  const auth =
    r.auth_results === undefined || r.auth_results === "" ? {} : obj(r.auth_results, `${at} auth_results`);
  return {
    sourceIp: ip(row.source_ip, `${at} source_ip`),
    count: count(row.count, `${at} count`),
    disposition: word(evaluated.disposition, `${at} disposition`),
    dkim: word(evaluated.dkim, `${at} policy_evaluated dkim`),
    spf: word(evaluated.spf, `${at} policy_evaluated spf`),
    headerFrom: domain(ids.header_from, `${at} header_from`),
    envelopeFrom: opt(ids.envelope_from, `${at} envelope_from`),
    authDkim: list(auth.dkim).map((d, i) => {
      const o = obj(d, `${at} auth_results dkim ${i + 1}`);
      return {
        domain: domain(o.domain, `${at} dkim domain`),
        selector: opt(o.selector, `${at} dkim selector`),
        result: word(o.result, `${at} dkim result`),
      };
    }),
    authSpf: list(auth.spf).map((s, i) => {
      const o = obj(s, `${at} auth_results spf ${i + 1}`);
      return { domain: domain(o.domain, `${at} spf domain`), result: word(o.result, `${at} spf result`) };
    }),
  };
}

function opt(v: unknown, name: string): string | null {
  const t = optText(v, name);
  return t === null ? null : xmlText(t);
}

/** A result or disposition keyword (pass, fail, none, quarantine…), lower-case. */
function word(v: unknown, name: string): string {
  return xmlText(text(v, name)).toLowerCase();
}

function domain(v: unknown, name: string): string {
  return xmlText(text(v, name)).toLowerCase().replace(/\.$/, "");
}

/** XML's predefined entities and character references (XML 1.0 §4.1, §4.6); nothing else. */
function xmlText(s: string): string {
  if (!s.includes("&")) return s;
  return s.replace(/&(lt|gt|amp|quot|apos|#\d{1,7}|#x[\da-f]{1,6});/gi, (all, ref: string) => {
    const r = ref.toLowerCase();
    if (r === "lt") return "<";
    if (r === "gt") return ">";
    if (r === "amp") return "&";
    if (r === "quot") return '"';
    if (r === "apos") return "'";
    const code = r.startsWith("#x") ? Number.parseInt(r.slice(2), 16) : Number.parseInt(r.slice(1), 10);
    return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff)
      ? String.fromCodePoint(code)
      : all;
  });
}
