// Shared by LOGIN and AUTHENTICATE: the auth service decides (with throttling), the session moves
// to authenticated, and POP-before-SMTP hears about it.
import type { AuthResult } from "../../auth/types.js";
import { capabilities } from "../capabilities.js";
import { no } from "../errors.js";
import type { Session } from "./context.js";
import type { CommandResult } from "./types.js";

export async function completeLogin(s: Session, username: string, password: string): Promise<CommandResult> {
  const r = await s.app.auth.authenticate({ username, password, ip: s.io.remoteAddress, protocol: "imap" });
  return finishLogin(s, r);
}

/** After the auth service answered (a password, or an OAuth bearer token: authenticate-oauth.ts). */
export async function finishLogin(s: Session, r: AuthResult): Promise<CommandResult> {
  if (!r.ok) {
    s.log.info("login failed", { reason: r.reason });
    if (r.reason === "throttled") throw no("Too many failed logins, try again later", "UNAVAILABLE");
    // The password was right, but the account has two-factor login: say what to do instead.
    if (r.reason === "app-password-required")
      throw no("Two-factor authentication is on: use an app password", "AUTHENTICATIONFAILED");
    throw no("Authentication failed", "AUTHENTICATIONFAILED");
  }
  // issue 18: the per-IP cap counts only connections not logged in yet (an office behind one NAT
  // address must not be locked out); logged-in ones count per account and IP, like Dovecot's
  // mail_max_userip_connections. RFC 5530 LIMIT: an implementation limit was reached. The
  // connection stays unauthenticated, so the client may LOGOUT or try again later.
  if (!s.io.takeLoginSlot(String(r.account.id))) {
    s.log.warn("login refused: too many connections for this account from this address", {
      account: r.account.id,
    });
    throw no("Too many connections for this user from this address", "LIMIT");
  }
  s.login(r.account, r.appPassword);
  await s.app.auth.notePopImapLogin(s.io.remoteAddress);
  s.log.info("login", { account: r.account.id });
  // RFC 9051 6.2.3: the OK may carry the new capability list, sparing the client a round trip.
  return { code: `CAPABILITY ${capabilities(s).join(" ")}`, text: "Logged in" };
}
