// The admin pages' frame: the shared page layout plus the admin section's own navigation.
import { html, type SafeHtml } from "../http/html.js";
import { page } from "../http/layout.js";
import { type HttpResponse, htmlResponse } from "../http/response.js";
import type { AdminContext, AuthedContext } from "../http/router.js";
import { noticeFrom } from "./action.js";

export function adminPage(
  rc: AuthedContext,
  title: string,
  body: SafeHtml,
  opts: { error?: string | null; status?: number } = {},
): HttpResponse {
  // A domain administrator sees only the sections open to it (the server refuses the rest anyway).
  const global = !("adminScope" in rc) || (rc as AdminContext).adminScope.kind === "global";
  const nav = global
    ? html`<nav><a href="/admin">Overview</a> · <a href="/admin/domains">Domains</a> ·
<a href="/admin/users">Users</a> · <a href="/admin/aliases">Aliases</a> · <a href="/admin/queue">Queue</a> · <a href="/admin/reports">Reports</a> · <a href="/admin/spam">Spam</a> ·
<a href="/admin/tls">TLS certificate</a> · <a href="/admin/throttle">Login throttle</a> · <a href="/admin/imports">Imports</a></nav>`
    : html`<nav><a href="/admin">Overview</a> · <a href="/admin/domains">Domains</a> ·
<a href="/admin/users">Users</a> · <a href="/admin/aliases">Aliases</a> · <a href="/admin/reports">Reports</a> · <a href="/admin/throttle">Login throttle</a></nav>`;
  return htmlResponse(
    page({
      title,
      body: html`${nav}<h1>${title}</h1>${body}`,
      session: rc.session,
      account: rc.account,
      notice: opts.error ? null : noticeFrom(rc.req.query),
      error: opts.error ?? null,
      adminLink: true,
    }),
    opts.status ?? 200,
  );
}
