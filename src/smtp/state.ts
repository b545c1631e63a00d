// Session state as data: what a handler may rely on is in the type (a transaction exists only
// in the "mail" phase). RFC 5321 §4.1.4 orders the phases: greeting, HELO/EHLO, MAIL, RCPT, DATA.

import type { LoginCheck } from "../auth/login-recheck.js";
import type { Account, DeliveryFacts } from "../store/types.js";

export interface Helo {
  name: string; // as the client gave it
  esmtp: boolean; // EHLO (extensions usable) rather than HELO
}

/** Who is sending: nobody (inbound MX), an authenticated account, or a POP-before-SMTP IP. */
export type Identity =
  | { kind: "anonymous" }
  | { kind: "account"; account: Account; login: LoginCheck } // login: re-checked before commands
  | { kind: "pop-before-smtp" }; // legacy: an IP that logged in over POP3/IMAP recently, no account

export interface Recipient {
  address: string; // as given in RCPT TO
  accountIds: number[]; // local mailboxes it resolves to (aliases may give several)
  remote: string[]; // addresses to relay to (authenticated mail to other domains, forwarding aliases)
  notify: string[] | null; // DSN NOTIFY (RFC 3461 §4.1)
  orcpt: string | null; // DSN ORCPT, "addr-type;address" decoded from xtext (RFC 3461 §4.2)
  /** Read with the account at RCPT (src/delivery/resolve.ts), for the post office. */
  facts?: ReadonlyMap<number, DeliveryFacts>;
}

export interface Transaction {
  from: string; // reverse-path, "" for the null sender
  smtpUtf8: boolean; // MAIL ... SMTPUTF8 (RFC 6531 §3.4)
  body: "7BIT" | "8BITMIME" | null; // BODY= (RFC 6152)
  declaredSize: number | null; // SIZE= (RFC 1870)
  ret: "FULL" | "HDRS" | null; // DSN RET (RFC 3461 §4.3)
  envId: string | null; // DSN ENVID (RFC 3461 §4.4), decoded from xtext
  recipients: Recipient[];
  /** BDAT chunks received so far (RFC 3030); null until the first BDAT. */
  chunks: { parts: Buffer[]; size: number } | null;
}

export type SessionState =
  | { phase: "connected" } // greeting sent, no HELO/EHLO yet
  | { phase: "ready"; helo: Helo } // between transactions
  | { phase: "mail"; helo: Helo; tx: Transaction }; // after MAIL FROM

export function heloOf(state: SessionState): Helo | null {
  return state.phase === "connected" ? null : state.helo;
}
