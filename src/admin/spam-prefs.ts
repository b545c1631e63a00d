// Admin: one user's spam settings (SpamStore.get/setSpamPrefs) — the senders whose mail is never
// scored as spam (allow) or always goes to Junk (block), one address or @domain per line, and
// the user's own Junk threshold and filing overrides (empty / "default": the domain's or the
// config's). The store validates and bounds the lists; its message is shown on the form.
import { html } from "../http/html.js";
import { csrfField } from "../http/layout.js";
import type { HttpResponse } from "../http/response.js";
import type { AdminContext, Router } from "../http/router.js";
import type { Account, SpamPrefs } from "../store/types.js";
import { adminAction, FormError, field } from "./action.js";
import { adminPage } from "./layout.js";
import { scopedAccount } from "./scope.js";

/** Longest list textarea accepted (the store allows 1,000 entries of at most 256 characters). */
const LIST_FIELD_MAX = 300_000;

export function registerSpamPrefsRoutes(router: Router): void {
  router.add({
    method: "GET",
    path: "/admin/users/:id/spam",
    access: "domain-admin",
    handler: (rc) => render(rc),
  });
  router.add({ method: "POST", path: "/admin/users/:id/spam", access: "domain-admin", handler: save });
}

/** The user, within this admin's reach (scope.ts: a domain administrator's own domains). */
const accountParam = (rc: AdminContext): Promise<Account> => scopedAccount(rc);

/** The page; after a refused save, with what the admin typed (so an edit is not lost). */
async function render(
  rc: AdminContext,
  refused: { error: string; form: URLSearchParams } | null = null,
): Promise<HttpResponse> {
  const a = await accountParam(rc);
  const p = await rc.app.ctx.store.spam.getSpamPrefs(a.id);
  const typed = (name: string, stored: string) => refused?.form.get(name)?.slice(0, LIST_FIELD_MAX) ?? stored;
  const option = (value: string, label: string, selected: boolean) =>
    html`<option value="${value}"${selected ? html` selected` : ""}>${label}</option>`;
  const body = html`<p><a href="/admin/users">All users</a> · <a href="/admin/spam">Spam page</a></p>
<form method="post" action="/admin/users/${a.id}/spam">${csrfField(rc.session)}
<p><label>Allow list: mail from these senders is never scored as spam (one address or @domain per line)<br>
<textarea name="allow" rows="8" cols="60">${typed("allow", p.allow.join("\n"))}</textarea></label></p>
<p><label>Block list: mail from these senders always goes to Junk<br>
<textarea name="block" rows="8" cols="60">${typed("block", p.block.join("\n"))}</textarea></label></p>
<p><label>Junk from score <input name="junkScore" inputmode="numeric" size="6" value="${typed("junkScore", String(p.junkScore ?? ""))}"
placeholder="default"></label> (empty: the domain's or the config's, ${rc.app.ctx.config.spam.junkScore})</p>
<p><label>File spam into Junk <select name="fileIntoJunk">${option("default", "default", p.fileIntoJunk === null)}${option(
    "yes",
    "yes",
    p.fileIntoJunk === true,
  )}${option("no", "no: headers only", p.fileIntoJunk === false)}</select></label></p>
<button type="submit">Save</button></form>`;
  return adminPage(rc, `Spam settings of ${a.address}`, body, { error: refused?.error ?? null });
}

/** The form's fields as a SpamPrefs (lists split on lines and commas; the store validates). */
export function prefsFromForm(form: URLSearchParams): SpamPrefs {
  const list = (name: string) =>
    field(form, name, LIST_FIELD_MAX)
      .split(/[\n,]/)
      .map((s) => s.trim())
      .filter((s) => s !== "");
  const score = field(form, "junkScore", 20);
  if (score !== "" && score !== "default" && !/^\d{1,4}$/.test(score))
    throw new FormError("junkScore must be a whole number (empty: default).");
  const fileIntoJunk = field(form, "fileIntoJunk", 10);
  if (!["default", "yes", "no", ""].includes(fileIntoJunk))
    throw new FormError("fileIntoJunk must be default, yes or no.");
  return {
    allow: list("allow"),
    block: list("block"),
    junkScore: score === "" || score === "default" ? null : Number(score),
    fileIntoJunk: fileIntoJunk === "yes" ? true : fileIntoJunk === "no" ? false : null,
  };
}

async function save(rc: AdminContext): Promise<HttpResponse> {
  const a = await accountParam(rc);
  const form = rc.req.form();
  return adminAction(rc, {
    action: "spam.prefs",
    target: a.address,
    back: `/admin/users/${a.id}/spam`,
    onError: (m) => render(rc, { error: m, form }),
    run: async () => {
      await rc.app.ctx.store.spam.setSpamPrefs(a.id, prefsFromForm(form));
    },
  });
}
