// The end of every web login (password alone, or password then a second factor): a new session
// (no fixation), its cookie, the device cookie that makes this browser a known client of the
// throttle (auth/device.ts), and the login's one-time cookies cleared.
import { PENDING_COOKIE } from "../auth/2fa/pending.js";
import { DEVICE_COOKIE } from "../auth/device.js";
import type { Account } from "../store/types.js";
import { clearCookie, setCookie } from "./cookies.js";
import { LOGIN_CSRF_COOKIE } from "./csrf.js";
import type { RequestContext } from "./router.js";
import { SESSION_COOKIE } from "./session.js";

/** Starts the session; returns the Set-Cookie values for the response that follows. */
export async function startWebSession(
  rc: RequestContext,
  account: Account,
  device: string,
): Promise<string[]> {
  const { ctx, sessions } = rc.app;
  const old = rc.req.cookies.get(SESSION_COOKIE);
  if (old) await sessions.destroy(old);
  const { token } = await sessions.create(account, rc.req.ip);
  ctx.log.info("web login", { user: account.address, ip: rc.req.ip });
  return [
    setCookie(SESSION_COOKIE, token, ctx.config.http.sessionMaxHours * 3600),
    clearCookie(LOGIN_CSRF_COOKIE),
    clearCookie(PENDING_COOKIE),
    setCookie(DEVICE_COOKIE, device, ctx.config.auth.throttleKnownClientDays * 86_400),
  ];
}
