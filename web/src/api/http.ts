// The webmail's own endpoints (src/webmail/session.ts). The page never sees the JMAP token:
// it is in an HttpOnly cookie. What the page keeps, in memory only, is the CSRF token that
// every state-changing request carries in X-Yubin-CSRF.
export const CSRF_HEADER = "X-Yubin-CSRF";

export interface WebSession {
  username: string;
  csrf: string;
}

export type LoginResult =
  | { ok: true; session: WebSession }
  /** The password was right; two-factor login asks for a code or a passkey (loginSecondStep).
   *  passkey: WebAuthn request options (JSON) when the account has passkeys. */
  | {
      ok: false;
      error: "second-factor";
      passkey: PublicKeyCredentialRequestOptionsJSON | null;
      status: number;
    }
  | {
      ok: false;
      /** two-factor-setup: the administrator requires 2FA and it is not set up: see `location`. */
      error: "invalid" | "throttled" | "two-factor-setup" | "expired" | "other";
      retryAfterSec?: number;
      location?: string;
      status: number;
    };

/** Thrown when the server no longer knows our session: the app shows the login again. */
export class SessionLost extends Error {
  constructor() {
    super("session lost");
  }
}

export const SESSION_LOST_EVENT = "yubin-session-lost";

/** Tell the app (which listens on window) and return the error to throw. */
export function sessionLost(): SessionLost {
  window.dispatchEvent(new Event(SESSION_LOST_EVENT));
  return new SessionLost();
}

export async function currentSession(): Promise<WebSession | null> {
  const r = await fetch("/webmail/session", { credentials: "same-origin", cache: "no-store" });
  if (r.status === 401) return null;
  if (!r.ok) throw new Error(`session: HTTP ${r.status}`);
  return (await r.json()) as WebSession;
}

/** The OpenID Connect provider the server offers for login (src/oauth/web-login.ts), or null. */
export async function loginProvider(): Promise<{ name: string; url: string } | null> {
  const r = await fetch("/webmail/login/provider", { credentials: "same-origin", cache: "no-store" });
  if (!r.ok) return null;
  return (await r.json()) as { name: string; url: string };
}

export function login(username: string, password: string): Promise<LoginResult> {
  return postLogin("/webmail/login", { username, password });
}

/** Two-factor login's second step: a TOTP or recovery code, or a passkey's answer (toJSON). */
export function loginSecondStep(step: { code: string } | { credential: unknown }): Promise<LoginResult> {
  return postLogin("/webmail/login/2fa", step);
}

const KNOWN_ERRORS = ["invalid", "throttled", "two-factor-setup", "expired"] as const;

async function postLogin(path: string, input: unknown): Promise<LoginResult> {
  const r = await fetch(path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(input),
  });
  if (r.ok) return { ok: true, session: (await r.json()) as WebSession };
  const body = (await r.json().catch(() => ({}))) as {
    error?: string;
    retryAfterSec?: number;
    location?: string;
    passkey?: PublicKeyCredentialRequestOptionsJSON | null;
  };
  if (body.error === "second-factor")
    return { ok: false, error: "second-factor", passkey: body.passkey ?? null, status: r.status };
  // A disabled account is "invalid" too: the server does not tell a right password apart.
  const known = KNOWN_ERRORS.find((e) => e === body.error);
  return {
    ok: false,
    error: known ?? "other",
    status: r.status,
    ...(body.retryAfterSec ? { retryAfterSec: body.retryAfterSec } : {}),
    ...(body.location ? { location: body.location } : {}),
  };
}

export async function logout(csrf: string): Promise<void> {
  await fetch("/webmail/logout", {
    method: "POST",
    credentials: "same-origin",
    headers: { [CSRF_HEADER]: csrf },
  });
}
