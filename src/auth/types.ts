// What protocols ask of authentication: check a login, with throttling, and remember
// successful POP3/IMAP logins for the legacy POP-before-SMTP option.
import type { Account, AppPassword } from "../store/types.js";
import type { ThrottleEntry } from "./throttle.js";

// A disabled account is "invalid" too, even with the right password: the reply must not tell.
export type AuthFailure = "invalid" | "throttled";

export type AuthResult =
  /** appPassword: the login was with this app password (app-passwords.ts), not the account's. */
  | { ok: true; account: Account; appPassword?: AppPassword }
  | { ok: false; reason: AuthFailure; retryAfterMs?: number };

export interface LoginAttempt {
  username: string; // an account address (case-insensitive domain)
  password: string;
  ip: string;
  /** "jmap": JMAP's HTTP Basic authentication; "http": the webmail and admin login forms. */
  protocol: "smtp" | "pop3" | "imap" | "jmap" | "http";
  /** Web logins: the browser's device token (device.ts), registered to the account on success,
   *  so that the throttle knows this browser wherever it is next time. */
  device?: string | undefined;
}

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
  /** POP-before-SMTP (legacy, config auth.popBeforeSmtp): record a successful POP3/IMAP login. */
  notePopImapLogin(ip: string): void;
  /** True if popBeforeSmtp is on and the IP logged in over POP3/IMAP recently. */
  popBeforeSmtpAllowed(ip: string): boolean;
  /** Who is being throttled, and clearing it (admin pages). */
  throttle: ThrottleAdmin;
}
