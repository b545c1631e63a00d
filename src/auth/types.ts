// What protocols ask of authentication: check a login, with throttling, and remember
// successful POP3/IMAP logins for the legacy POP-before-SMTP option.
import type { Account, AppPassword } from "../store/types.js";
import type { ThrottleEntry } from "./throttle.js";

// A disabled account is "invalid" too, even with the right password: the reply must not tell.
// "app-password-required": the account password was right, but the account has two-factor login
// on (src/auth/2fa/), so protocols need an app password; the reply says so (only after the
// password was checked, so a guesser learns nothing it did not know).
export type AuthFailure = "invalid" | "throttled" | "app-password-required";

export type AuthResult =
  /** appPassword: the login was with this app password (app-passwords.ts), not the account's. */
  | { ok: true; account: Account; appPassword?: AppPassword }
  | { ok: false; reason: AuthFailure; retryAfterMs?: number };

export interface LoginAttempt {
  username: string; // an account address (case-insensitive domain)
  password: string;
  ip: string;
  /** "jmap": JMAP's HTTP Basic authentication; "http": the webmail and admin login forms. */
  protocol: "smtp" | "pop3" | "imap" | "managesieve" | "jmap" | "http";
  /** Web logins: the browser's device token (device.ts), registered to the account on success,
   *  so that the throttle knows this browser wherever it is next time. */
  device?: string | undefined;
}

/** OAuth 2.0 (issue 15): a bearer token in place of a password (SASL OAUTHBEARER, RFC 7628, and
 *  XOAUTH2). username: the user the SASL message names, if any; it must be the token's account. */
export interface BearerAttempt {
  token: string;
  username: string | null;
  ip: string;
  protocol: "smtp" | "pop3" | "imap" | "managesieve";
}

/** "unavailable": the token could not be checked (the provider's keys could not be fetched); the
 *  client's fault is not established, so it is not counted as a failure and the reply is temporary. */
export type BearerResult = AuthResult | { ok: false; reason: "unavailable" };

/** What checks a bearer token (src/oauth/tokens.ts): the account name its claim gives, or why not. */
export interface BearerVerifier {
  verify(
    token: string,
  ): Promise<{ ok: true; username: string } | { ok: false; reason: string; temporary: boolean }>;
}

/** The web login's second step (src/auth/2fa/): `check` spends a code or verifies a passkey. */
export interface SecondStepAttempt {
  accountId: number;
  ip: string;
  device?: string | undefined;
  check: () => Promise<boolean>;
}

export type SecondStepResult =
  | { ok: true }
  | { ok: false; reason: "invalid" | "throttled"; retryAfterMs?: number };

/** The login throttle as the admin pages see it (throttle.ts). */
export interface ThrottleAdmin {
  list(limit: number): Promise<ThrottleEntry[]>;
  clear(id: string): Promise<boolean>;
}

export interface AuthService {
  /** Verify a login. Failures are counted per (IP, account) pair, per IP and per account; after a
   *  few, the reply is delayed (the promise resolves later), after more that pair (or a spraying
   *  IP) is refused as throttled without checking. Known clients are never refused (throttle.ts).
   *  The result never reveals whether the user exists. */
  authenticate(attempt: LoginAttempt): Promise<AuthResult>;
  /** A second login step (2FA code or passkey) after a right password: the same throttle gate,
   *  delay and counters as a password, so a wrong code counts as a failed login. */
  verifySecondStep(attempt: SecondStepAttempt): Promise<SecondStepResult>;
  /** A bearer token (OAuth 2.0) checked by the configured verifier, counted in the same throttle
   *  as passwords (an invalid token is a failure like a wrong password). Never ok when OAuth is off. */
  authenticateBearer(attempt: BearerAttempt): Promise<BearerResult>;
  /** POP-before-SMTP (legacy, config auth.popBeforeSmtp): record a successful POP3/IMAP login
   *  (in the counters, shared between nodes; never throws). */
  notePopImapLogin(ip: string): Promise<void>;
  /** True if popBeforeSmtp is on and the IP logged in over POP3/IMAP recently (on any node);
   *  StoreUnavailableError when the shared counters cannot be reached. */
  popBeforeSmtpAllowed(ip: string): Promise<boolean>;
  /** Who is being throttled, and clearing it (admin pages). */
  throttle: ThrottleAdmin;
}
