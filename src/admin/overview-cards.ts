// The admin overview's status cards (issue 21): each says in one line whether a part of the
// server is well, and when it is not, what to look at. A card is "ok", "warn" (works, but not as
// it should be run) or "red" (mail is or will soon be affected).

import type { AcmeStatus } from "../acme/types.js";
import { html, type SafeHtml } from "../http/html.js";
import type { Health } from "../server/health.js";
import { type CertStatus, certStatus } from "./cert-status.js";
import { EXPIRY_WARNING_DAYS } from "./tls.js";

export type CardState = "ok" | "warn" | "red";

export interface Card {
  id: string;
  title: string;
  state: CardState;
  /** What is so. */
  status: SafeHtml | string;
  /** What to do about it (shown when not ok). */
  todo?: SafeHtml | string;
}

const hours = (ms: number) =>
  ms < 3_600_000 ? `${Math.round(ms / 60_000)} min` : `${(ms / 3_600_000).toFixed(1)} h`;

export function queueCard(
  q: { count: number; deferred: number; oldest: Date | null },
  opts: { now: Date; alertHours: number },
): Card {
  const age = q.oldest ? opts.now.getTime() - q.oldest.getTime() : 0;
  const status = html`${q.count} message(s) waiting, ${q.deferred} deferred${q.oldest ? `, the oldest ${hours(age)} old` : ""}.`;
  const red = q.oldest !== null && age > opts.alertHours * 3_600_000;
  return {
    id: "card-queue",
    title: "Outbound queue",
    state: red ? "red" : q.deferred > 0 ? "warn" : "ok",
    status,
    todo: red
      ? html`Mail has waited more than ${opts.alertHours} h. Open <a href="/admin/queue">the queue</a>: its Last error column says why — one destination refusing us (a 4xx/5xx from one domain: our IP on a block list, their policy), DNS not answering (no MX or address for them), or no outbound connection at all (port 25 blocked by the provider). Held messages (a frozen account's, outbound spam) wait for you: <a href="/admin/queue?state=held">release or delete them</a>.`
      : q.deferred > 0
        ? html`Some deliveries are being retried; <a href="/admin/queue">the queue</a> shows the last error of each.`
        : undefined,
  };
}

export function certificateCard(
  pemCert: string,
  opts: { hostname: string; now: Date; acme?: AcmeStatus },
): Card {
  let s: CertStatus;
  try {
    s = certStatus(pemCert, [opts.hostname], opts.now);
  } catch (e) {
    return {
      id: "card-cert",
      title: "TLS certificate",
      state: "red",
      status: `The served certificate cannot be read: ${(e as Error).message}.`,
      todo: html`See <a href="/admin/tls">the TLS page</a> and the log.`,
    };
  }
  const covered = s.covers.every((c) => c.ok);
  const expiring = s.daysLeft < EXPIRY_WARNING_DAYS;
  const acme = opts.acme;
  const renewed = acme?.lastRenewal ? ` Renewed by ACME ${acme.lastRenewal.toISOString().slice(0, 10)}.` : "";
  const status = html`${s.daysLeft < 0 ? "Expired" : `${s.daysLeft} day(s) left`} (until ${s.notAfter.toISOString().slice(0, 10)}), issued by ${s.selfSigned ? "itself (self-signed)" : s.issuer}${covered ? "" : `; does not cover ${opts.hostname}`}.${renewed}`;
  // ACME's own word (src/acme): a failing order or a warning (expiry near, names left out).
  const acmeProblem =
    acme?.state === "failing" && acme.lastError
      ? `${acme.lastError.kind}: ${acme.lastError.message}`
      : acme?.warning;
  if (acmeProblem)
    return {
      id: "card-cert",
      title: "TLS certificate",
      state: "red",
      status,
      todo: html`ACME says: ${acmeProblem}. See <a href="/admin/tls">the TLS page</a> (port 80 or 443 reachable from the Internet? DNS pointing at this server? a rate limit?).`,
    };
  if (expiring || !covered)
    return {
      id: "card-cert",
      title: "TLS certificate",
      state: "red",
      status,
      todo: html`${expiring ? "Renewal has not happened: " : "Clients will refuse the name: "}see <a href="/admin/tls">the TLS page</a> and the log's ACME lines (port 80 or 443 not reachable from the Internet, DNS not pointing at this server, or a rate limit), or install a certificate in [tls] and send SIGHUP.`,
    };
  return {
    id: "card-cert",
    title: "TLS certificate",
    state: s.selfSigned ? "warn" : "ok",
    status,
    todo: s.selfSigned
      ? html`Clients warn about a self-signed certificate: give the server its public host name and port 80 or 443 so it gets one by ACME, or set [tls] cert and key. <a href="/admin/tls">TLS page</a>.`
      : undefined,
  };
}

export function loginCard(
  l: { failed: number; throttled: number; previous: number },
  opts: { alertPerHour: number },
): Card {
  const now = l.failed + l.throttled;
  const red = Math.max(now, l.previous) >= opts.alertPerHour;
  return {
    id: "card-logins",
    title: "Logins",
    state: red ? "red" : "ok",
    status: `${l.failed} failed and ${l.throttled} throttled login(s) this hour, ${l.previous} the hour before.`,
    todo: red
      ? html`Someone is guessing passwords. Throttling is on and slows them down: <a href="/admin/throttle">the login throttle page</a> lists the addresses and accounts; block a persistent source at the firewall, and make sure the targeted accounts have strong passwords or a second factor.`
      : undefined,
  };
}

export function errorsCard(h: Health): Card {
  const status = `Since start: ${h.uncaughtErrors} uncaught error(s) survived, ${h.loopBlocks} event-loop block(s) logged (longest ${h.longestBlockMs} ms)`;
  return {
    id: "card-errors",
    title: "Server health",
    state: h.uncaughtErrors > 0 ? "red" : h.loopBlocks > 0 ? "warn" : "ok",
    status,
    todo:
      h.uncaughtErrors > 0
        ? 'The log has each one with its stack (level error, "uncaught"): a bug to report. The server went on serving.'
        : h.loopBlocks > 0
          ? "The log names the command that held the event loop; many of them mean the machine is overloaded."
          : undefined,
  };
}

const WORD: Record<CardState, string> = { ok: "OK", warn: "Attention", red: "Action needed" };

export function renderCards(cards: readonly Card[]): SafeHtml {
  return html`<div class="cards">${cards.map(
    (c) =>
      html`<section class="card card-${c.state}" id="${c.id}"><h3>${c.title} <span class="state">${WORD[c.state]}</span></h3><p>${c.status}</p>${c.todo ? html`<p class="todo">${c.todo}</p>` : ""}</section>`,
  )}</div>`;
}
