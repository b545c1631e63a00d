// Admin: one import's page (imports.ts starts them): its progress while it runs, reloaded by the
// browser every REFRESH_SEC seconds (an HTTP Refresh header, which the CSP does not govern; the
// admin pages run no script), then its summary: imported, duplicates, failed with the first
// reasons, or why it stopped (over quota: what was filed before stays).
import { html } from "../http/html.js";
import type { HttpResponse } from "../http/response.js";
import type { AuthedContext } from "../http/router.js";
import type { ImportJob } from "../import/jobs.js";
import { adminPage } from "./layout.js";

export const REFRESH_SEC = 2;

const mib = (bytes: number) => (bytes / 1048576).toFixed(1);

export function renderJob(rc: AuthedContext, job: Readonly<ImportJob>): HttpResponse {
  const p = job.progress;
  const s = job.summary;
  const elapsedSec = ((job.endedAt ?? new Date()).getTime() - job.startedAt.getTime()) / 1000;
  const progress = p
    ? html`<p id="import-progress">${p.done}${p.total !== null ? ` of ${p.total}` : ""} messages
(${mib(p.bytes)} MiB), now in ${p.folder}; ${p.duplicates} duplicates, ${p.failed} failed;
${elapsedSec > 0 ? Math.round(p.done / elapsedSec) : 0} messages/s.</p>`
    : html`<p id="import-progress">Connecting to the source…</p>`;
  const summary = s
    ? html`<table id="import-summary"><tbody>
<tr><th>Folders</th><td>${s.folders}</td></tr>
<tr><th>Imported</th><td>${s.imported} messages (${mib(s.bytes)} MiB)</td></tr>
<tr><th>Skipped as duplicates</th><td>${s.duplicates}</td></tr>
<tr><th>Failed</th><td>${s.failed}</td></tr>
<tr><th>Folders with their UIDs kept</th><td>${s.keptUids}</td></tr>
<tr><th>Time</th><td>${(s.elapsedMs / 1000).toFixed(1)} s</td></tr>
</tbody></table>
${
  s.failures.length > 0
    ? html`<h2>Failures${s.failed > s.failures.length ? ` (the first ${s.failures.length})` : ""}</h2>
<table><thead><tr><th>Folder</th><th>Message</th><th>Reason</th></tr></thead><tbody>${s.failures.map(
        (f) => html`<tr><td>${f.folder}</td><td>${f.label}</td><td>${f.reason}</td></tr>`,
      )}</tbody></table>`
    : ""
}`
    : "";
  const state =
    job.state === "running"
      ? html`<p>Running since ${job.startedAt.toISOString()} (this page reloads itself).</p>${progress}`
      : job.state === "done"
        ? html`<p id="import-state">Finished at ${job.endedAt?.toISOString() ?? ""}.</p>`
        : html`<p id="import-state" class="flash-error">${job.state === "stopped" ? "Stopped" : "Failed"}: ${job.error ?? ""}</p>
<p>Mail filed before this stays; starting the same import again continues where it stopped.</p>`;
  const body = html`<p><a href="/admin/imports">All imports</a></p>
<table><tbody><tr><th>Into</th><td>${job.address}</td></tr><tr><th>From</th><td>${job.label}</td></tr>
<tr><th>Started by</th><td>${job.startedBy}</td></tr></tbody></table>
${state}${summary}`;
  const res = adminPage(rc, `Import #${job.id}`, body);
  if (job.state === "running") res.headers.Refresh = String(REFRESH_SEC);
  return res;
}
