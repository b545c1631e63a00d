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
  | {
      ok: false;
      error: "invalid" | "throttled" | "other";
      retryAfterSec?: number;
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

export async function login(username: string, password: string): Promise<LoginResult> {
  const r = await fetch("/webmail/login", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (r.ok) return { ok: true, session: (await r.json()) as WebSession };
  const body = (await r.json().catch(() => ({}))) as { error?: string; retryAfterSec?: number };
  // A disabled account is "invalid" too: the server does not tell a right password apart.
  const error = body.error === "invalid" || body.error === "throttled" ? body.error : "other";
  return {
    ok: false,
    error,
    status: r.status,
    ...(body.retryAfterSec ? { retryAfterSec: body.retryAfterSec } : {}),
  };
}

export async function logout(csrf: string): Promise<void> {
  await fetch("/webmail/logout", {
    method: "POST",
    credentials: "same-origin",
    headers: { [CSRF_HEADER]: csrf },
  });
}
