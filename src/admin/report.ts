// Admin: one received report (reports.ts lists them). DMARC: each record's source IP, message
// count, disposition, the aligned DKIM and SPF results and header_from, with the raw
// authentication results behind them (RFC 7489 Appendix C). TLS-RPT: each policy with its
// session counts and failure details (RFC 8460 §4.3, §4.4). Rows are paged.
import { mustCover } from "../http/admin-scope.js";
import { html, type SafeHtml } from "../http/html.js";
import { HttpError, type HttpResponse } from "../http/response.js";
import type { AdminContext } from "../http/router.js";
import type { DmarcAggregateReport, StoredReport, TlsRptReport } from "../store/types.js";
import { adminPage } from "./layout.js";
import { advice, period } from "./report-advice.js";

/** Rows (DMARC records, TLS-RPT failure details) per page. */
export const REPORT_ROWS_PAGE = 200;

export async function renderReport(rc: AdminContext): Promise<HttpResponse> {
  const id = Number(rc.params.id);
  const pageNo = Math.max(0, Math.min(1_000_000, Number.parseInt(rc.req.query.get("page") ?? "0", 10) || 0));
  const got = Number.isSafeInteger(id)
    ? await rc.app.ctx.store.reports.get(id, { offset: pageNo * REPORT_ROWS_PAGE, limit: REPORT_ROWS_PAGE })
    : null;
  if (!got) throw new HttpError(404, "No such report.");
  mustCover(rc.adminScope, got.summary.domain);
  const { summary: s, report } = got;
  const head = html`<dl><dt>Domain</dt><dd>${s.domain}</dd><dt>Reporter</dt><dd>${s.org}${
    report.kind === "dmarc" && report.email ? html` (${report.email})` : ""
  }${report.kind === "tlsrpt" && report.contact ? html` (${report.contact})` : ""}</dd>
<dt>Report id</dt><dd>${s.reportId}</dd><dt>Period (UTC)</dt><dd>${period(s.begin, s.end)}</dd>
<dt>Received</dt><dd>${s.receivedAt.toISOString().slice(0, 16).replace("T", " ")}</dd></dl>`;
  const pages = pager(got, id, pageNo);
  const body = report.kind === "dmarc" ? dmarcBody(report, got) : tlsBody(report, got);
  const title = `${report.kind === "dmarc" ? "DMARC" : "TLS-RPT"} report from ${s.org}`;
  return adminPage(
    rc,
    title,
    html`<p><a href="/admin/reports">All reports</a></p>${head}${body}${pages}${advice()}`,
  );
}

function dmarcBody(r: DmarcAggregateReport, got: StoredReport): SafeHtml {
  const s = got.summary;
  const p = r.policy;
  const policy = html`<p>Published policy: p=${p.p}${p.sp ? `, sp=${p.sp}` : ""}${p.pct !== null ? `, pct=${p.pct}` : ""}, adkim=${p.adkim ?? "r"}, aspf=${p.aspf ?? "r"}.</p>`;
  const totals = html`<p>${s.total} messages: <span class="ok">${s.passed} passed DMARC</span>${
    s.failed > 0 ? html`, <span class="error">${s.failed} failed</span>` : ""
  } (aligned DKIM pass ${s.dkimPass}, aligned SPF pass ${s.spfPass}).</p>`;
  const rows = r.records.map((x) => {
    const pass = x.dkim === "pass" || x.spf === "pass";
    const auth = [
      ...x.authDkim.map((d) => `dkim ${d.domain}${d.selector ? ` (${d.selector})` : ""}: ${d.result}`),
      ...x.authSpf.map((d) => `spf ${d.domain}: ${d.result}`),
    ];
    return html`<tr class="${pass ? "" : "failing"}"><td>${x.sourceIp}</td><td>${x.count}</td><td>${x.headerFrom}</td>
<td>${x.envelopeFrom ?? ""}</td>${cell(x.dkim)}${cell(x.spf)}<td class="${pass ? "ok" : "error"}">${pass ? "pass" : "fail"}</td>
<td>${x.disposition}</td><td>${auth.map((a) => html`${a}<br>`)}</td></tr>`;
  });
  return html`${policy}${totals}<table><thead><tr><th>Source IP</th><th>Messages</th><th>From domain</th>
<th>Envelope from</th><th>DKIM</th><th>SPF</th><th>DMARC</th><th>Disposition</th><th>Authentication results</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

function tlsBody(r: TlsRptReport, got: StoredReport): SafeHtml {
  const s = got.summary;
  const totals = html`<p>${s.total} TLS sessions: <span class="ok">${s.passed} successful</span>${
    s.failed > 0 ? html`, <span class="error">${s.failed} failed</span>` : ""
  }.</p>`;
  const policies = r.policies.map((p) => {
    const failures = p.failures.map(
      (
        f,
      ) => html`<tr><td class="error">${f.resultType}</td><td>${f.failedSessionCount}</td><td>${f.sendingMtaIp ?? ""}</td>
<td>${f.receivingMxHostname ?? ""}</td><td>${f.receivingIp ?? ""}</td><td>${f.failureReasonCode ?? ""}</td><td>${f.additionalInformation ?? ""}</td></tr>`,
    );
    return html`<h2>Policy ${p.type} for ${p.domain}</h2>
<p>MX hosts: ${p.mxHosts.join(", ") || "none given"}. Sessions: <span class="ok">${p.successful} successful</span>, ${
      p.failed > 0 ? html`<span class="error">${p.failed} failed</span>` : html`0 failed`
    }.</p>
${p.strings.length > 0 ? html`<pre>${p.strings.join("\n")}</pre>` : ""}
${
  failures.length > 0
    ? html`<table><thead><tr><th>Result</th><th>Sessions</th><th>Sending MTA</th><th>Receiving MX</th><th>Receiving IP</th>
<th>Reason code</th><th>Information</th></tr></thead><tbody>${failures}</tbody></table>`
    : ""
}`;
  });
  return html`${totals}${policies}`;
}

function cell(result: string): SafeHtml {
  return html`<td class="${result === "pass" ? "ok" : "error"}">${result}</td>`;
}

function pager(got: StoredReport, id: number, pageNo: number): SafeHtml | string {
  if (got.rowCount <= REPORT_ROWS_PAGE) return "";
  const last = Math.ceil(got.rowCount / REPORT_ROWS_PAGE) - 1;
  return html`<p>Rows ${pageNo * REPORT_ROWS_PAGE + 1}–${Math.min(got.rowCount, (pageNo + 1) * REPORT_ROWS_PAGE)} of ${got.rowCount}.
${pageNo > 0 ? html`<a href="/admin/reports/${id}?page=${pageNo - 1}">Previous</a>` : ""}
${pageNo < last ? html`<a href="/admin/reports/${id}?page=${pageNo + 1}">Next</a>` : ""}</p>`;
}
