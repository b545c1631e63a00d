// The page frame every server-rendered page shares: navigation by role, a logout form carrying
// the session's CSRF token, and an optional notice.
import type { Account } from "../store/types.js";
import { CSRF_FIELD } from "./csrf.js";
import { html, type SafeHtml } from "./html.js";
import type { Session } from "./session.js";

export interface PageOptions {
  title: string;
  body: SafeHtml;
  session?: Session | null;
  account?: Account | null;
  notice?: string | null;
  error?: string | null;
  /** Show the Admin link for an account that is not a global admin (a domain administrator:
   *  the admin pages know, src/admin/layout.ts). */
  adminLink?: boolean;
}

export function page(o: PageOptions): SafeHtml {
  const nav =
    o.session && o.account
      ? html`<a href="/settings">Settings</a>
${o.account.isAdmin || o.adminLink ? html`<a href="/admin">Admin</a>` : ""}
<span>${o.account.address}</span>
<form method="post" action="/logout">${csrfField(o.session)}<button type="submit">Log out</button></form>`
      : "";
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · Yubin</title><link rel="stylesheet" href="/static/yubin.css"></head>
<body><header><strong>Yubin</strong>${nav}</header>
<main>
${o.notice ? html`<p class="notice" role="status">${o.notice}</p>` : ""}
${o.error ? html`<p class="flash-error" role="alert">${o.error}</p>` : ""}
${o.body}
</main></body></html>`;
}

/** The hidden field every form of a logged-in page carries. */
export function csrfField(session: Session): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${session.csrfToken}">`;
}
