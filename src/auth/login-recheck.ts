// A logged-in connection (IMAP, POP3, SMTP submission) outlives the check that let it in: after a
// password change or reset, a disable or a deletion of its account it must end, as web sessions
// and bearer tokens do (issue 18, finding 10; credential.ts). Each such connection keeps the
// stamp of the password hash it logged in with and, before a command at most every
// auth.sessionRecheckSec, re-reads the account row: the row is the one place every writer
// changes (the admin page, `yubin user passwd` in another process), so nothing needs telling.
// Between checks a command costs one comparison of two numbers; the store is read only when due.
// A login with an app password (app-passwords.ts) is checked before every command, its app
// password read with the account (two primary-key reads): revoking a lost phone's app password
// ends that phone's sessions at their next command, whichever process revoked it (issue 15).
// And at once, idle or not (issue 15): the store reports every change that can end a login
// (store.webSessions.onLoginChange: this process's writes after their commit, another process's
// within its poll, a second), each listener hands it to its connections of that account, and
// they check now (recheckNow) and end themselves if the login no longer stands. The periodic
// recheck stays as the backstop (a store that failed to answer, a missed report).
import type { Logger } from "../log/logger.js";
import type { Account, AppPasswordStore, DirectoryStore } from "../store/types.js";
import { credentialStamp } from "./credential.js";

/** What a connection keeps of its login: plain fields, so IMAP can keep them in the session's
 *  account record rather than in one more object per idle client. */
export interface LoginCheck {
  readonly id: number;
  /** credentialStamp() of the password hash the login was checked against. */
  readonly stamp: string;
  /** Date.now() from which the next command re-reads the account. */
  checkAt: number;
  /** The app password the login used, if it did (then checked before every command). */
  readonly appPasswordId?: number;
}

export function loginCheck(
  account: Pick<Account, "id" | "passwordHash">,
  intervalSec: number,
  opts: { now?: number; appPassword?: { id: number } | undefined } = {},
): LoginCheck {
  const stamp = credentialStamp(account.passwordHash);
  const now = opts.now ?? Date.now();
  if (opts.appPassword) return { id: account.id, stamp, checkAt: now, appPasswordId: opts.appPassword.id };
  return { id: account.id, stamp, checkAt: now + intervalSec * 1000 };
}

/** Whether the account must be read again before the next command (0 s: always). */
export function recheckDue(c: LoginCheck, now = Date.now()): boolean {
  return now >= c.checkAt;
}

/**
 * Re-reads the account: true while it exists, is enabled and still has the password hash the
 * login saw (and, for an app-password login, the app password is not revoked), and then the
 * next check is `intervalSec` away (the next command, for an app password). A store error is
 * thrown, and the next command checks again (`checkAt` is not moved).
 */
export async function loginStillValid(
  store: { directory: Pick<DirectoryStore, "getAccount">; appPasswords: Pick<AppPasswordStore, "get"> },
  c: LoginCheck,
  intervalSec: number,
): Promise<boolean> {
  const a = await store.directory.getAccount(c.id);
  if (!a || a.disabled || credentialStamp(a.passwordHash) !== c.stamp) return false;
  if (c.appPasswordId !== undefined) return (await store.appPasswords.get(c.id, c.appPasswordId)) !== null;
  c.checkAt = Date.now() + intervalSec * 1000;
  return true;
}

/**
 * The store reported a change to this login's account: the next command checks in any case
 * (checkAt 0), and the account is read now; `ended` runs if the login no longer stands, so a
 * session waiting for its client can say so and close. A store error is logged: the next
 * command checks again.
 */
export function recheckNow(
  store: Parameters<typeof loginStillValid>[0],
  c: LoginCheck,
  o: { intervalSec: number; log: Logger; ended: () => void },
): void {
  c.checkAt = 0;
  loginStillValid(store, c, o.intervalSec).then(
    (stands) => {
      if (!stands) o.ended();
    },
    (e: unknown) => o.log.warn("account recheck failed", { err: e }),
  );
}

/**
 * For a session about to run a command: true when no check is due, when the account still
 * checks out (loginStillValid), or when the store failed to answer (this command is served and
 * the next one checks again); false, logged, when the login has ended, and the session must say
 * so in its protocol and close.
 */
export async function loginStands(
  session: { login: LoginCheck; account: Pick<Account, "address"> },
  o: {
    ctx: { store: Parameters<typeof loginStillValid>[0]; config: { auth: { sessionRecheckSec: number } } };
    log: Logger;
  },
): Promise<boolean> {
  if (!recheckDue(session.login)) return true;
  try {
    if (await loginStillValid(o.ctx.store, session.login, o.ctx.config.auth.sessionRecheckSec)) return true;
  } catch (e) {
    o.log.warn("account recheck failed", { err: e });
    return true;
  }
  o.log.info("login ended: password changed or account disabled", { user: session.account.address });
  return false;
}
