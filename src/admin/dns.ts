// Admin: the DNS records one domain should publish, each checked against what DNS answers now
// (through the [dns] servers). Records come from src/mailauth/records.ts; the SRV records are
// the ones the autoconfig documents advertise (src/autoconfig/srv.ts), so the DNS page, the
// Thunderbird/Outlook/Apple documents and the settings page always name the same ports.
// Open to the domain's administrators (admin-scope.ts).
import { clientEndpoints } from "../autoconfig/endpoints.js";
import { srvRecords } from "../autoconfig/srv.js";
import type { Config } from "../config/schema.js";
import { checkOwnTlsa, type OwnTlsaCheck, ownTlsa } from "../dane/own-tlsa.js";
import { createDnsResolver } from "../dns/resolver.js";
import { mustCover } from "../http/admin-scope.js";
import { html } from "../http/html.js";
import { HttpError, type HttpResponse } from "../http/response.js";
import type { AdminContext, Router } from "../http/router.js";
import { loadDkimKeys } from "../mailauth/keys.js";
import {
  checkDnsRecords,
  type DnsRecord,
  dnsRecordsFor,
  type RecordCheck,
  zoneLine,
} from "../mailauth/records.js";
import { adminPage } from "./layout.js";

export function registerDnsRoutes(router: Router): void {
  router.add({ method: "GET", path: "/admin/domains/:domain/dns", access: "domain-admin", handler: render });
}

/** What `domain` should publish: mailauth's records with our client SRV records. */
export async function expectedRecords(config: Config, domain: string): Promise<DnsRecord[]> {
  const keys = await loadDkimKeys(config.server.dataDir, domain);
  const srv: DnsRecord[] = srvRecords(clientEndpoints(config), domain).map((r) => ({
    name: r.name,
    type: "SRV",
    value: `${r.priority} ${r.weight} ${r.port} ${r.target === "." ? "." : `${r.target}.`}`,
    purpose: "srv",
    note:
      r.target === "."
        ? "service not offered (RFC 6186 §4)"
        : "mail client service location (RFC 6186, RFC 8314 §5.1, RFC 5804 §1.8)",
  }));
  return [...dnsRecordsFor(domain, config, keys).filter((r) => r.purpose !== "srv"), ...srv];
}

const STATUS_TEXT: Record<RecordCheck["status"], string> = {
  ok: "present and correct",
  different: "wrong",
  missing: "missing",
  error: "lookup failed",
};

const DANE_CLASS: Record<OwnTlsaCheck["status"], string> = {
  ok: "ok",
  missing: "missing",
  different: "wrong",
  warning: "wrong",
  error: "wrong",
};

async function render(rc: AdminContext): Promise<HttpResponse> {
  const { ctx } = rc.app;
  const domain = (rc.params.domain ?? "").toLowerCase();
  mustCover(rc.adminScope, domain);
  if (!(await ctx.store.directory.getDomain(domain))) throw new HttpError(404, "No such domain.");
  const records = await expectedRecords(ctx.config, domain);
  const resolver = createDnsResolver({
    servers: ctx.config.dns.servers,
    timeoutMs: ctx.config.dns.timeoutMs,
    tries: ctx.config.dns.tries,
  });
  const own = ownTlsa(ctx.config);
  const [checks, dane] = await Promise.all([
    checkDnsRecords(resolver, records),
    checkOwnTlsa(own, { ...ctx.config.dns, maxAnswers: ctx.config.dane.maxRecords }),
  ]);
  const rows = checks.map(
    (
      c,
    ) => html`<tr class="record-${c.record.purpose}"><td>${c.record.purpose}</td><td><code>${c.record.name}</code></td>
<td>${c.record.type}</td><td><code>${c.record.value}</code><br><small>${c.record.note}</small></td>
<td class="${c.status === "ok" ? "ok" : c.status === "missing" ? "missing" : "wrong"}">${STATUS_TEXT[c.status]}</td>
<td>${c.found.map((f) => html`<code>${f}</code><br>`)}${c.error ?? ""}</td></tr>`,
  );
  const bad = checks.filter((c) => c.status !== "ok").length;
  const body = html`<p>${bad === 0 ? "All records are published correctly." : `${bad} of ${checks.length} records need attention.`}</p>
<table><thead><tr><th>Purpose</th><th>Name</th><th>Type</th><th>Value to publish</th><th>Status</th><th>Found in DNS</th></tr></thead>
<tbody>${rows}</tbody></table>
<h2>DANE: the TLSA record of our MX host</h2>
<p>For senders that check TLSA records (RFC 7672); only in a DNSSEC-signed zone. The same for every domain.</p>
<table><thead><tr><th>Name</th><th>Value to publish</th><th>Status</th><th>What it means</th></tr></thead>
<tbody><tr class="record-dane"><td><code>${own.name}</code></td><td>${[own.current, own.next]
    .filter((v) => v !== null)
    .map((v) => html`<code>${v}</code><br>`)}</td>
<td class="${DANE_CLASS[dane.status]}">${dane.status}</td><td>${dane.messages.map((m) => html`${m}<br>`)}</td></tr></tbody></table>
<h2>Zone file lines</h2>
<pre>${records.map((r) => `${zoneLine(r)}\n`).join("")}${[own.current, own.next]
    .filter((v) => v !== null)
    .map((v) => `${own.name}. IN TLSA ${v}\n`)
    .join("")}</pre>`;
  return adminPage(rc, `DNS records for ${domain}`, body);
}
