// The AuthService every protocol uses to check a login (see types.ts for the contract).
// Invariants:
//  - The reply never tells whether the user exists: an unknown user costs the same argon2id
//    verification (against a dummy hash) and gets the same "invalid" as a wrong password.
//  - A disabled account gets exactly the "invalid" of a wrong password, after the same hash
//    check (never from the verified-login cache) and counted as a failure: no protocol can tell
//    a guesser that the password was right (the log says it, for the admin).
//  - Throttling (throttle.ts) is decided before the password is looked at, per (IP, resolved
//    account) pair, per IP and per account: every spelling of one account ("t2", "T2",
//    "\"t\\2\"") shares a counter. A client that logged in to the account before (same IP, or a
//    web device token) is never refused and never delayed by others' failures.
//  - Passwords are never logged; failures are logged with ip, user and protocol.
//  - A successful login with an imported or weaker hash stores a fresh argon2id hash.
//  - A login verified in the last auth.verifiedLoginCacheSec skips the argon2id check
//    (verified-cache.ts); a changed password or a failure never hits that cache.

import { randomBytes } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import type { Config } from "../config/schema.js";
import { addressKey, parseAddress } from "../delivery/address.js";
import { findAccount } from "../delivery/lookup.js";
import type { Logger } from "../log/logger.js";
import type { MetricEvents, ProtocolName } from "../metrics/events.js";
import type { CounterStore } from "../store/counters.js";
import type { Account, DirectoryStore } from "../store/types.js";
import type { AppPasswords } from "./app-passwords.js";
import { hashPassword, needsRehash, verifyPassword } from "./password.js";
import { popBeforeSmtpKey } from "./pop-before-smtp.js";
import { LoginThrottle, type ThrottleSubject, throttleOptionsFromConfig } from "./throttle.js";
import type {
  AuthResult,
  AuthService,
  BearerAttempt,
  BearerResult,
  BearerVerifier,
  LoginAttempt,
  SecondStepAttempt,
  SecondStepResult,
} from "./types.js";
import { VerifiedLoginCache } from "./verified-cache.js";

export interface AuthServiceDeps {
  directory: DirectoryStore;
  counters: CounterStore;
  config: Config["auth"];
  log: Logger;
  /** App passwords (issue 15); without them only account passwords log in. */
  appPasswords?: Pick<AppPasswords, "check">;
  /** Two-factor login (src/auth/2fa/): an account that has it opens protocols only with an app
   *  password. Without it, the account password opens every protocol. */
  secondFactors?: { enabled(accountId: number): Promise<boolean> };
  /** OAuth 2.0 bearer tokens (src/oauth/tokens.ts); without it authenticateBearer refuses all. */
  bearer?: BearerVerifier;
  /** Each decided login, ok / failed / throttled (/metrics, admin charts). */
  metrics?: Pick<MetricEvents, "login">;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

// Longest user name looked up; longer ones cannot be an address (RFC 5321 §4.5.3.1).
const MAX_USERNAME_LENGTH = 320;

export function createAuthService(deps: AuthServiceDeps): AuthService {
  const { directory, config, log } = deps;
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => delay(ms));
  const throttle = new LoginThrottle(deps.counters, throttleOptionsFromConfig(config), { now });
  const verified = new VerifiedLoginCache(config.verifiedLoginCacheSec * 1000, now);

  // Made on first use so that start-up does not pay for it; a random password nobody knows.
  let dummy: Promise<string> | null = null;
  const dummyHash = () => {
    dummy ??= hashPassword(randomBytes(18).toString("base64"));
    return dummy;
  };

  const lookup = async (username: string): Promise<Account | null> => {
    if (username.length > MAX_USERNAME_LENGTH) return null;
    const a = parseAddress(username);
    return a ? findAccount(directory, a) : null;
  };

  /** The per-account throttle key: the account's id when the name resolves to one (whatever
   *  its spelling), else the address as delivery compares it (unquoted, backslash escapes
   *  removed, lower case, IDN domain as A-label), else the lower-cased name. No plus-detail is
   *  stripped: a login name with a "+detail" names no account (findAccount), so guessing on it
   *  cannot reach the base account's password. */
  const throttleKey = (username: string, account: Account | null): string => {
    if (account) return `id:${account.id}`;
    const a = username.length > MAX_USERNAME_LENGTH ? null : parseAddress(username);
    return a ? `addr:${addressKey(a)}` : `name:${username.toLowerCase()}`;
  };

  // In the counters, so every node sees it (src/auth/pop-before-smtp.ts). Not recorded when the
  // counters are unreachable: the login itself stands, the client can still use SMTP AUTH.
  const notePopImapLogin = async (ip: string): Promise<void> => {
    if (!config.popBeforeSmtp) return;
    try {
      await deps.counters.set(popBeforeSmtpKey(ip), 1, config.popBeforeSmtpMinutes * 60_000);
    } catch (e) {
      log.warn("POP-before-SMTP login not recorded", { err: e as Error });
    }
  };

  /** One attempt through the throttle, the same for passwords, tokens and second factors:
   *  refused while its gate is closed, delayed as the gate says, then `run` decides (counting
   *  success or failure itself); the gate is released whatever happens. */
  async function gated<T>(
    subject: ThrottleSubject,
    fields: Record<string, unknown>,
    run: (delayed: boolean) => Promise<T>,
  ): Promise<T | { ok: false; reason: "throttled"; retryAfterMs: number }> {
    const gate = await throttle.begin(subject);
    if (!gate.allowed) {
      log.warn("login refused: too many failures", {
        ...fields,
        scope: gate.scope,
        retryAfterMs: gate.retryAfterMs,
      });
      return { ok: false, reason: "throttled", retryAfterMs: gate.retryAfterMs };
    }
    try {
      if (gate.delayMs > 0) {
        log.debug("login delayed", { ...fields, delayMs: gate.delayMs, known: gate.known });
        await sleep(gate.delayMs);
      }
      return await run(gate.delayMs > 0);
    } finally {
      gate.release();
    }
  }

  async function authenticate(attempt: LoginAttempt): Promise<AuthResult> {
    const { username, password, ip, protocol } = attempt;
    const fields = { ip, user: username.slice(0, MAX_USERNAME_LENGTH), protocol };
    // Resolved first (one indexed read, not the slow hash) so the counter is the account's.
    let account = await lookup(username);
    const key = throttleKey(username, account);
    const subject = { ip, account: key, device: attempt.device };
    return gated(subject, fields, async (delayed) => {
      // The row may have changed (a reset) while the gate held us.
      if (delayed) account = await lookup(username);
      const usable = account?.disabled === false ? account : null;
      // An app password in place of the account's, for the protocols in its scopes: a keyed hash
      // (app-passwords.ts), so no argon2id; anything else goes on to the account password.
      const app =
        usable && deps.appPasswords
          ? await deps.appPasswords.check({ accountId: usable.id, password, protocol, ip })
          : null;
      if (usable && app) {
        await throttle.recordSuccess(subject);
        if (protocol === "pop3" || protocol === "imap") await notePopImapLogin(ip);
        log.info("login", { ...fields, user: usable.address, appPassword: app.id });
        return { ok: true, account: usable, appPassword: app };
      }
      const cached = usable !== null && verified.has(usable.id, usable.passwordHash, password);
      const matches =
        cached || (await verifyPassword(password, account?.passwordHash ?? (await dummyHash())));
      if (!account || !usable || !matches) {
        await throttle.recordFailure(subject);
        log.warn(account?.disabled && matches ? "login to a disabled account" : "login failed", fields);
        return { ok: false, reason: "invalid" };
      }
      // Two-factor login on: the account password alone opens the web login's first step only.
      // The password was right, so this is no failure (nothing to count); a client with a stale
      // setup must hear why, not "invalid".
      if (protocol !== "http" && (await deps.secondFactors?.enabled(account.id))) {
        log.warn("login refused: two-factor login is on, an app password is needed", fields);
        return { ok: false, reason: "app-password-required" };
      }
      await throttle.recordSuccess(subject);
      if (needsRehash(account.passwordHash)) account = await rehash(account, password, fields);
      if (!cached) verified.add(account.id, account.passwordHash, password);
      if (protocol === "pop3" || protocol === "imap") await notePopImapLogin(ip);
      log.info("login", { ...fields, user: account.address });
      return { ok: true, account };
    });
  }

  /** A bearer token: the same gate and counters as a password, keyed on the account the SASL
   *  message names (so a guesser is held per (IP, account) pair as with passwords). The token's own
   *  account must be that one: a token for one user never opens another's mailbox. */
  async function authenticateBearer(attempt: BearerAttempt): Promise<BearerResult> {
    const { token, ip, protocol } = attempt;
    const username = attempt.username ?? "";
    const fields = { ip, user: username.slice(0, MAX_USERNAME_LENGTH), protocol, mechanism: "bearer" };
    const named = username === "" ? null : await lookup(username);
    const subject = { ip, account: throttleKey(username, named) };
    return gated(subject, fields, async () => {
      const verdict = deps.bearer ? await deps.bearer.verify(token) : null;
      if (verdict && !verdict.ok && verdict.temporary) {
        log.warn("bearer token could not be checked", { ...fields, reason: verdict.reason });
        return { ok: false, reason: "unavailable" };
      }
      const account = verdict?.ok ? await lookup(verdict.username) : null;
      const why = !verdict
        ? "oauth is off"
        : !verdict.ok
          ? verdict.reason
          : !account
            ? "no account for the token's user"
            : account.disabled
              ? "account disabled"
              : named !== null && named.id !== account.id
                ? "token is for another account"
                : username !== "" && named === null
                  ? "named user does not exist"
                  : null;
      if (why !== null || !account) {
        await throttle.recordFailure(subject);
        log.warn("login failed", { ...fields, reason: why });
        return { ok: false, reason: "invalid" };
      }
      await throttle.recordSuccess({ ip, account: throttleKey(account.address, account) });
      if (protocol === "pop3" || protocol === "imap") await notePopImapLogin(ip);
      log.info("login", { ...fields, user: account.address });
      return { ok: true, account };
    });
  }

  /** Counted under the account's own "2fa:" key, not its password key: the right password made
   *  the (IP, account) pair a known client (never refused), and a thief of the password must
   *  not inherit that for guessing codes. Only a right second factor makes this pair known. */
  async function verifySecondStep(attempt: SecondStepAttempt): Promise<SecondStepResult> {
    const { ip } = attempt;
    const subject = { ip, account: `2fa:id:${attempt.accountId}`, device: attempt.device };
    const fields = { ip, account: attempt.accountId, protocol: "http", step: "second factor" };
    return gated(subject, fields, async () => {
      if (!(await attempt.check())) {
        await throttle.recordFailure(subject);
        log.warn("login failed: wrong second factor", fields);
        return { ok: false, reason: "invalid" };
      }
      await throttle.recordSuccess(subject);
      return { ok: true };
    });
  }

  async function rehash(
    account: Account,
    password: string,
    fields: Record<string, unknown>,
  ): Promise<Account> {
    try {
      const updated = await directory.updateAccount(account.id, {
        passwordHash: await hashPassword(password),
      });
      log.info("password hash upgraded to argon2id", fields);
      return updated;
    } catch (err) {
      // The login itself succeeded; the upgrade is retried at the next one.
      log.error("password rehash failed", { ...fields, err });
      return account;
    }
  }

  // Callers name "smtp" for AUTH (a submission port's) and "jmap" for the JMAP API (HTTP).
  const metricProtocol = (p: LoginAttempt["protocol"]): ProtocolName =>
    p === "smtp" ? "submission" : p === "jmap" ? "http" : p;
  const counted = async <R extends BearerResult>(
    p: LoginAttempt["protocol"],
    result: Promise<R>,
  ): Promise<R> => {
    const r = await result;
    deps.metrics?.login(metricProtocol(p), r.ok ? "ok" : r.reason === "throttled" ? "throttled" : "failed");
    return r;
  };

  return {
    authenticate: (attempt) => counted(attempt.protocol, authenticate(attempt)),
    verifySecondStep,
    authenticateBearer: (attempt) => counted(attempt.protocol, authenticateBearer(attempt)),
    throttle,
    notePopImapLogin,
    popBeforeSmtpAllowed: async (ip) =>
      config.popBeforeSmtp && (await deps.counters.get(popBeforeSmtpKey(ip))) > 0,
  };
}
