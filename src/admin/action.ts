// The shape of every admin POST: run the change; on success log it and redirect back (POST →
// 303 → GET, so a reload does not repeat it) with a short notice; on a user error (bad input,
// StoreError such as "exists") log it and show the page again with the message and 400.
import { HttpError, type HttpResponse, redirect } from "../http/response.js";
import type { AuthedContext } from "../http/router.js";
import { StoreError } from "../store/errors.js";
import { audit } from "./audit.js";

/** Input the admin got wrong; the message is shown on the page (400 wherever it is thrown). */
export class FormError extends HttpError {
  constructor(message: string) {
    super(400, message);
    this.name = "FormError";
  }
}

export interface ActionSpec {
  action: string; // "user.create", "queue.retry", …
  target: string;
  run(): Promise<void>;
  /** Page to go back to; the notice is appended as ?done=&target=. */
  back: string;
  /** The page re-rendered with an error message. */
  onError(message: string): Promise<HttpResponse>;
}

export async function adminAction(rc: AuthedContext, spec: ActionSpec): Promise<HttpResponse> {
  try {
    await spec.run();
  } catch (e) {
    if (!(e instanceof FormError || e instanceof StoreError)) throw e;
    audit(rc, spec.action, spec.target, { ok: false, error: e.message });
    const res = await spec.onError(e.message);
    return { ...res, status: 400 };
  }
  audit(rc, spec.action, spec.target, { ok: true });
  const sep = spec.back.includes("?") ? "&" : "?";
  return redirect(
    `${spec.back}${sep}done=${encodeURIComponent(spec.action)}&target=${encodeURIComponent(spec.target)}`,
  );
}

const NOTICES: Record<string, string> = {
  "domain.add": "Domain added:",
  "domain.remove": "Domain removed:",
  "user.create": "User created:",
  "user.password": "Password changed for",
  "user.quota": "Quota changed for",
  "user.disable": "Disabled:",
  "user.enable": "Enabled:",
  "alias.add": "Alias added:",
  "alias.remove": "Alias removed:",
  "queue.retry": "Queued for a new attempt now: message",
  "queue.delete": "Deleted from the queue: message",
  "queue.release": "Released for delivery now: message",
  "user.unfreeze": "Outgoing mail unfrozen (held mail released) for",
  "spam.prefs": "Spam settings saved for",
  "throttle.clear": "Failed logins forgotten for",
  "user.role": "Administrator role set for",
  "user.app-password-revoke": "App password revoked:",
  "import.start": "Import started:",
  "user.2fa-reset": "Two-factor login reset (authenticator, recovery codes, passkeys removed) for",
};

/** The notice for ?done=&target= (known actions only; the target is escaped by the template). */
export function noticeFrom(query: URLSearchParams): string | null {
  const text = NOTICES[query.get("done") ?? ""];
  return text ? `${text} ${(query.get("target") ?? "").slice(0, 320)}` : null;
}

/** A form field, trimmed and bounded. */
export function field(form: URLSearchParams, name: string, max = 320): string {
  const v = (form.get(name) ?? "").trim();
  if (v.length > max) throw new FormError(`${name} is too long (at most ${max} characters).`);
  return v;
}

/** A non-negative integer field ("" = 0). */
export function intField(form: URLSearchParams, name: string): number {
  const v = field(form, name, 20);
  if (v === "") return 0;
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v)))
    throw new FormError(`${name} must be a whole number.`);
  return Number(v);
}
