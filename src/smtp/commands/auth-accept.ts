// What a successful AUTH does, whatever the mechanism (auth.ts, auth-oauth.ts): take the
// per-account connection slot, remember the login for rechecks, reply 235.
import { loginCheck } from "../../auth/login-recheck.js";
import type { Account, AppPassword } from "../../store/types.js";
import { SmtpError } from "../errors.js";
import { replies } from "../replies.js";
import type { Session } from "../session.js";

export function acceptLogin(
  s: Session,
  login: { account: Account; appPassword?: AppPassword | undefined; mechanism: string },
): void {
  const { account, mechanism } = login;
  // issue 18: smtp.maxConnectionsPerIp counts only connections not authenticated yet (an office
  // behind one address is not locked out); an authenticated one counts per account and IP. A
  // refusal leaves the session unauthenticated, as a failed AUTH would.
  if (!s.slot.login(String(account.id))) {
    s.log.warn("authentication refused: too many connections for this account from this address", {
      user: account.address,
    });
    throw new SmtpError("auth-user-ip-limit");
  }
  const check = loginCheck(account, s.ctx.config.auth.sessionRecheckSec, { appPassword: login.appPassword });
  s.identity = { kind: "account", account, login: check };
  s.log.info("authenticated", { user: account.address, mechanism });
  s.send(replies.authOk());
}
