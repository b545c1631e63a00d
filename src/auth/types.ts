// What protocols ask of authentication: check a login, with throttling, and remember
// successful POP3/IMAP logins for the legacy POP-before-SMTP option.
import type { Account } from "../store/types.js";

// A disabled account is "invalid" too, even with the right password: the reply must not tell.
export type AuthFailure = "invalid" | "throttled";

export type AuthResult =
  | { ok: true; account: Account }
  | { ok: false; reason: AuthFailure; retryAfterMs?: number };

export interface LoginAttempt {
  username: string; // an account address (case-insensitive domain)
  password: string;
  ip: string;
  protocol: "smtp" | "pop3" | "imap" | "http";
}

export interface AuthService {
  /** Verify a login. Failures are counted per IP and per account; after a few, the reply is delayed
   *  (the promise resolves later), after more the login is refused as throttled without checking.
   *  The result never reveals whether the user exists. */
  authenticate(attempt: LoginAttempt): Promise<AuthResult>;
  /** POP-before-SMTP (legacy, config auth.popBeforeSmtp): record a successful POP3/IMAP login. */
  notePopImapLogin(ip: string): void;
  /** True if popBeforeSmtp is on and the IP logged in over POP3/IMAP recently. */
  popBeforeSmtpAllowed(ip: string): boolean;
}
