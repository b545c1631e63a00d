// Admin: the Spam page — what the filter does and why. The recent verdicts with the signals that
// decided them (so an admin can see why a message was filed, refused or held), the models'
// training, what each DNS list answered since start, where to find held mail and frozen
// accounts, and the effective settings (read-only: they live in the config file).
// Everything in a verdict (sender, recipient, reasons) came from the Internet: it is rendered
// through html`` only, which escapes it.
import { dnsblStatus, type ZoneStatus } from "../dnsbl/index.js";
import { html } from "../http/html.js";
import type { HttpResponse } from "../http/response.js";
import type { AuthedContext, Router } from "../http/router.js";
import type { SpamVerdictRecord } from "../store/types.js";
import { adminPage } from "./layout.js";
import { settingsTables } from "./spam-settings.js";

/** Most recent verdicts shown. */
export const VERDICTS_SHOWN = 100;

export function registerSpamRoutes(router: Router): void {
  router.add({ method: "GET", path: "/admin/spam", access: "admin", handler: render });
}

function verdictRow(v: SpamVerdictRecord) {
  const more = v.recipients > 1 ? ` (+${v.recipients - 1})` : "";
  return html`<tr class="verdict action-${v.action}"><td>${v.at.toISOString()}</td><td>${v.door}</td>
<td>${v.mailFrom || "<>"}</td><td>${v.recipient}${more}</td><td>${v.score.toFixed(1)}</td>
<td>${v.action}</td><td><code>${v.reasons}</code></td><td><code>${v.messageId}</code></td></tr>`;
}

function zoneRow(z: ZoneStatus) {
  return html`<tr class="zone"><td>${z.kind}</td><td><code>${z.spec}</code></td><td>${String(z.weight)}</td>
<td>${z.queries}</td><td>${z.listed}</td><td${z.errors > 0 ? html` class="wrong"` : ""}>${z.errors}</td>
<td>${z.lastError ? `${z.lastError.at.toISOString()} ${z.lastError.detail}` : ""}</td></tr>`;
}

/** A [spam] maxTokens* cap as the page says it (0: no limit). */
const capText = (cap: number) => (cap === 0 ? "no limit of tokens" : `${cap} tokens`);

async function render(rc: AuthedContext): Promise<HttpResponse> {
  const { store, config } = rc.app.ctx;
  const [verdicts, stats, global, expiry, frozen, held] = await Promise.all([
    store.spam.recentVerdicts(VERDICTS_SHOWN),
    store.spam.modelStats(),
    store.spam.modelTotals(0),
    store.spam.lastExpiry(),
    store.sending.listFrozen(),
    store.queue.listQueue({ state: "held" }),
  ]);
  const zones = dnsblStatus(rc.app.ctx);
  const frozenRows = await Promise.all(
    [...frozen].map(async ([id, f]) => {
      const a = await store.directory.getAccount(id);
      return html`<li class="frozen">${a?.address ?? `account ${id}`}: since ${f.frozenAt.toISOString()} (${f.reason})</li>`;
    }),
  );
  const body = html`<ul>
<li><a href="/admin/queue?state=held">${held.length} held outbound message(s)</a> (release or delete them)</li>
<li><a href="/admin/users">${frozen.size} account(s) with outgoing mail frozen</a> (unfreeze on the users page)${
    frozenRows.length > 0 ? html`<ul>${frozenRows}</ul>` : ""
  }</li>
<li>Allow and block lists: per user, from the <a href="/admin/users">users page</a></li></ul>
<h2>Statistical model</h2>
<p id="model">Global model: trained with ${global.spam} spam and ${global.ham} ham message(s).
${stats.models} model(s) with training (the global one and per-user ones), ${stats.tokens} token(s) kept in all.
Kept at most: ${capText(config.spam.maxTokensGlobal)} in the global model, ${capText(config.spam.maxTokensPerUser)} in each user's
(least recently trained expire first, hapaxes before frequent tokens). Last expiry: ${
    expiry ? `${expiry.at.toISOString()}, ${expiry.removed} token(s) removed` : "none yet"
  }.</p>
<h2>DNS lists</h2>
${
  zones.length === 0
    ? html`<p id="zones">No DNS lists configured ([dnsbl] ipZones, domainZones, uriZones).</p>`
    : html`<p>What each list answered since the server started.</p>
<table id="zones"><thead><tr><th>For</th><th>Zone</th><th>Weight</th><th>Queries</th><th>Listed</th><th>Errors</th>
<th>Last error</th></tr></thead><tbody>${zones.map(zoneRow)}</tbody></table>`
}
<h2>Recent verdicts</h2>
${
  verdicts.length === 0
    ? html`<p id="verdicts">No message scored yet.</p>`
    : html`<p>The newest ${verdicts.length}, newest first. Reasons are the signals that fired, NAME=score.</p>
<table id="verdicts"><thead><tr><th>Time</th><th>Door</th><th>Sender</th><th>Recipient</th><th>Score</th>
<th>Action</th><th>Reasons</th><th>Message</th></tr></thead><tbody>${verdicts.map(verdictRow)}</tbody></table>`
}
<h2>Settings</h2>
<p>As in the config file (read-only here; edit the file and restart).</p>
${settingsTables(config)}`;
  return adminPage(rc, "Spam and abuse", body);
}
