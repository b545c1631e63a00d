// Admin: imports into an account, run in the background by the server (src/import/jobs.ts, the
// engine `yubin import` uses): over IMAP from another server, or from a Maildir or mbox at a path
// on this server under one of [import] pathRoots. One import per account at a time, at most
// [import] maxRunning at once. A job's page shows its progress and, when it ends, its summary;
// while it runs the page asks the browser to reload it every few seconds (a Refresh header: the
// admin pages run no script). The IMAP password goes from the form to the source and nowhere
// else: never logged (the audit line names host, port and user), never written back into a form.
import { realpath } from "node:fs/promises";
import { isAbsolute, sep } from "node:path";
import { html } from "../http/html.js";
import { csrfField } from "../http/layout.js";
import { HttpError, type HttpResponse } from "../http/response.js";
import type { AuthedContext, Router } from "../http/router.js";
import { openImapSource } from "../import/imap/source.js";
import { ImportJobError, type ImportJobKind, type ImportJobSpec } from "../import/jobs.js";
import { openMaildirSource } from "../import/maildir/source.js";
import { openMboxSource } from "../import/mbox/source.js";
import { adminAction, FormError, field } from "./action.js";
import { renderJob } from "./import-job.js";
import { adminPage } from "./layout.js";

export function registerImportRoutes(router: Router): void {
  router.add({ method: "GET", path: "/admin/imports", access: "admin", handler: (rc) => render(rc) });
  router.add({ method: "POST", path: "/admin/imports/imap", access: "admin", handler: startImap });
  router.add({ method: "POST", path: "/admin/imports/path", access: "admin", handler: startPath });
  router.add({ method: "GET", path: "/admin/imports/:id", access: "admin", handler: showJob });
}

/** What the forms show again after an error (never the password). */
interface Sticky {
  account?: string;
  host?: string;
  port?: string;
  tls?: string;
  user?: string;
  path?: string;
  kind?: string;
}

async function render(
  rc: AuthedContext,
  error: string | null = null,
  sticky: Sticky = {},
): Promise<HttpResponse> {
  const { imports, config } = rc.app.ctx;
  const jobs = imports.list();
  const rows = jobs.map(
    (
      j,
    ) => html`<tr id="import-${j.id}"><td><a href="/admin/imports/${j.id}">#${j.id}</a></td><td>${j.address}</td>
<td>${j.label}</td><td>${j.state}</td><td>${j.summary?.imported ?? j.progress?.done ?? 0}</td>
<td>${j.startedAt.toISOString()}</td></tr>`,
  );
  const tls = sticky.tls ?? "implicit";
  const opt = (v: string, label: string) =>
    html`<option value="${v}"${tls === v ? html` selected` : ""}>${label}</option>`;
  const roots = config.import.pathRoots;
  const pathForm =
    roots.length === 0
      ? html`<p>Imports from a path on this server are off: list the directories they may read in
<code>[import] pathRoots</code>.</p>`
      : html`<form method="post" action="/admin/imports/path"><fieldset><legend>From a Maildir or mbox on this server</legend>${csrfField(rc.session)}
<label>Into account <input name="account" required value="${sticky.account ?? ""}"></label>
<label>Format <select name="kind"><option value="maildir"${sticky.kind === "mbox" ? "" : html` selected`}>Maildir (Dovecot, Courier)</option>
<option value="mbox"${sticky.kind === "mbox" ? html` selected` : ""}>mbox file or directory (Thunderbird)</option></select></label>
<label>Path <input name="path" required size="50" value="${sticky.path ?? ""}"></label>
<label><input type="checkbox" name="dedupe" value="1"> Skip mail the account already holds</label>
<p>Under ${roots.join(", ")}.</p>
<button type="submit">Start path import</button></fieldset></form>`;
  const body = html`${
    jobs.length === 0
      ? html`<p>No imports since the server started.</p>`
      : html`<table><thead><tr><th>Import</th><th>Account</th><th>From</th><th>State</th><th>Messages</th>
<th>Started</th></tr></thead><tbody>${rows}</tbody></table>`
  }
<form method="post" action="/admin/imports/imap"><fieldset><legend>From another IMAP server</legend>${csrfField(rc.session)}
<label>Into account <input name="account" required value="${sticky.account ?? ""}"></label>
<label>IMAP server <input name="host" required value="${sticky.host ?? ""}"></label>
<label>Port <input name="port" inputmode="numeric" size="6" value="${sticky.port ?? ""}" placeholder="993"></label>
<label>Security <select name="tls">${opt("implicit", "TLS (993)")}${opt("starttls", "STARTTLS (143)")}${opt("none", "none (trusted network only)")}</select></label>
<label>User name there <input name="user" required autocomplete="off" value="${sticky.user ?? ""}"></label>
<label>Password there <input name="password" type="password" required autocomplete="new-password"></label>
<label><input type="checkbox" name="insecure" value="1"> Accept the server's certificate without checking it</label>
<label><input type="checkbox" name="dedupe" value="1"> Skip mail the account already holds</label>
<button type="submit">Start IMAP import</button></fieldset></form>
${pathForm}`;
  return adminPage(rc, "Imports", body, { error });
}

async function account(rc: AuthedContext, address: string) {
  const a = await rc.app.ctx.store.directory.getAccountByAddress(address.toLowerCase());
  if (!a) throw new FormError(`No such account: ${address}`);
  return a;
}

/** Starts the job inside adminAction (so it is audited), then shows its page. */
function start(rc: AuthedContext, target: string, sticky: Sticky, spec: () => Promise<ImportJobSpec>) {
  let id = 0;
  return adminAction(rc, {
    action: "import.start",
    target,
    get back() {
      return `/admin/imports/${id}`;
    },
    onError: (m) => render(rc, m, sticky),
    run: async () => {
      try {
        id = rc.app.ctx.imports.start(await spec()).id;
      } catch (e) {
        if (e instanceof ImportJobError) throw new FormError(e.message);
        throw e;
      }
    },
  });
}

async function startImap(rc: AuthedContext): Promise<HttpResponse> {
  const form = rc.req.form();
  const sticky: Sticky = {
    account: field(form, "account"),
    host: field(form, "host", 255),
    port: field(form, "port", 5),
    tls: field(form, "tls", 10),
    user: field(form, "user"),
  };
  const password = form.get("password") ?? "";
  const tls = sticky.tls === "starttls" || sticky.tls === "none" ? sticky.tls : "implicit";
  const port = sticky.port === "" ? (tls === "implicit" ? 993 : 143) : Number(sticky.port);
  const target = `${sticky.account} from imap ${sticky.user}@${sticky.host}:${port}`;
  return start(rc, target, sticky, async () => {
    if (!/^\d{1,5}$/.test(sticky.port || "0") || port < 1 || port > 65535)
      throw new FormError("Port must be 1–65535.");
    if (!sticky.host || !sticky.user) throw new FormError("Server and user name are required.");
    if (password === "" || password.length > 1024)
      throw new FormError("A password (at most 1024 characters) is required.");
    const a = await account(rc, sticky.account ?? "");
    const insecure = form.get("insecure") === "1";
    return {
      accountId: a.id,
      address: a.address,
      kind: "imap",
      label: `imap ${sticky.user}@${sticky.host}:${port}${tls === "none" ? " (no TLS)" : ""}`,
      startedBy: rc.account.address,
      dedupe: form.get("dedupe") === "1",
      open: () =>
        openImapSource({
          host: sticky.host!,
          port,
          tls,
          user: sticky.user!,
          password,
          rejectUnauthorized: !insecure,
          maxMessageBytes: rc.app.ctx.config.imap.appendLimit,
        }),
    };
  });
}

async function startPath(rc: AuthedContext): Promise<HttpResponse> {
  const form = rc.req.form();
  const sticky: Sticky = {
    account: field(form, "account"),
    path: field(form, "path", 4096),
    kind: field(form, "kind", 10),
  };
  const kind: ImportJobKind = sticky.kind === "mbox" ? "mbox" : "maildir";
  return start(rc, `${sticky.account} from ${kind} ${sticky.path}`, sticky, async () => {
    const path = await allowedPath(rc.app.ctx.config.import.pathRoots, sticky.path ?? "");
    const a = await account(rc, sticky.account ?? "");
    const maxMessageBytes = rc.app.ctx.config.imap.appendLimit;
    return {
      accountId: a.id,
      address: a.address,
      kind,
      label: `${kind} ${path}`,
      startedBy: rc.account.address,
      dedupe: form.get("dedupe") === "1",
      open: () =>
        kind === "mbox"
          ? openMboxSource(path, { maxMessageBytes })
          : openMaildirSource(path, { maxMessageBytes }),
    };
  });
}

/** The path with symbolic links resolved, if it lies under one of the roots (also resolved). */
export async function allowedPath(roots: readonly string[], path: string): Promise<string> {
  if (roots.length === 0) throw new FormError("Path imports are off ([import] pathRoots is empty).");
  if (!isAbsolute(path)) throw new FormError("The path must be absolute.");
  const real = await realpath(path).catch(() => {
    throw new FormError(`No such file or directory: ${path}`);
  });
  for (const root of roots) {
    const r = await realpath(root).catch(() => null);
    if (r !== null && (real === r || real.startsWith(r.endsWith(sep) ? r : r + sep))) return real;
  }
  throw new FormError(`${path} is not under ${roots.join(", ")} ([import] pathRoots).`);
}

async function showJob(rc: AuthedContext): Promise<HttpResponse> {
  const id = Number(rc.params.id);
  const job = Number.isSafeInteger(id) ? rc.app.ctx.imports.get(id) : null;
  if (!job)
    throw new HttpError(404, "No such import (finished imports are forgotten when the server restarts).");
  return renderJob(rc, job);
}
