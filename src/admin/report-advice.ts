// The received reports' pages (reports.ts, report.ts) share these: what to do when a report is red,
// and how a report's period is written.
import { html, type SafeHtml } from "../http/html.js";

const DAY = 86_400_000;

/** What to do when the numbers are red. */
export function advice(): SafeHtml {
  return html`<h2>When something is red</h2><ul>
<li><strong>A DMARC failure from a server that is yours</strong> (this server, a newsletter service, a CRM, a
backup MX): add its address to your SPF record or have it sign with DKIM for your domain, so its mail aligns.</li>
<li><strong>DMARC failures from sources you do not know</strong>: someone is sending mail in your domain's name
(spoofing). Once every source of your own passes, set your DMARC policy to p=quarantine, then p=reject.</li>
<li><strong>TLS-RPT failures</strong>: senders could not set up TLS with this server the way your policy says.
certificate-expired, certificate-host-mismatch, certificate-not-trusted: check the <a href="/admin/tls">TLS
certificate</a> and the names it covers; sts-policy-invalid, sts-webpki-invalid: check the MTA-STS policy and
its record; tlsa-invalid, dnssec-invalid: check the TLSA records (yubin domain dns --check);
starttls-not-supported, validation-failure: check that port 25 offers STARTTLS.</li></ul>`;
}

/** "2025-12-06" for one UTC day, else "begin – end" to the minute. */
export function period(begin: Date, end: Date): string {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  if (end.getTime() - begin.getTime() <= DAY && day(begin) === day(new Date(end.getTime() - 1)))
    return day(begin);
  const minute = (d: Date) => d.toISOString().slice(0, 16).replace("T", " ");
  return `${minute(begin)} – ${minute(end)}`;
}
