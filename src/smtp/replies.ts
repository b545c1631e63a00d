// Every SMTP reply Yubin sends, in one place: error kinds to codes (RFC 5321 §4.2, RFC 3463
// enhanced codes), and the fixed success replies. Handlers never write numbers themselves.

import type { SmtpErrorKind } from "./errors.js";
import { type Reply, reply } from "./wire/reply.js";

const errorTable: Record<SmtpErrorKind, [number, string, string]> = {
  syntax: [501, "5.5.4", "Syntax error in parameters"],
  "unknown-command": [500, "5.5.2", "Command unrecognized"],
  "not-implemented": [502, "5.5.1", "Command not implemented"],
  "bad-sequence": [503, "5.5.1", "Bad sequence of commands"],
  "bad-param": [555, "5.5.4", "Parameter not recognized"],
  "line-too-long": [500, "5.5.2", "Line too long"],
  "auth-required": [530, "5.7.0", "Authentication required"],
  "encryption-required": [538, "5.7.11", "Encryption required for requested authentication mechanism"],
  "auth-mechanism": [504, "5.5.4", "Unrecognized authentication type"],
  "auth-invalid": [535, "5.7.8", "Authentication credentials invalid"],
  "auth-throttled": [454, "4.7.0", "Too many failed authentication attempts, try again later"],
  // The password was right, but the account has two-factor login (auth/2fa/). 534 5.7.9 is RFC
  // 4954 §6's "mechanism too weak"; the text says what to use instead.
  "auth-app-password": [534, "5.7.9", "Two-factor authentication is on: use an app password"],
  // RFC 4954 6: 454 4.7.0 is the temporary authentication failure; the client may retry later.
  "auth-user-ip-limit": [
    454,
    "4.7.0",
    "Too many connections for this user from this address, try again later",
  ],
  // RFC 4954 §6: a token that could not be checked now (the OAuth provider's keys unreachable).
  "auth-temporary": [454, "4.7.0", "Temporary authentication failure, try again later"],
  "auth-cancelled": [501, "5.0.0", "Authentication cancelled"],
  "auth-protocol": [501, "5.5.2", "Cannot decode authentication response"],
  "relay-denied": [554, "5.7.1", "Relay access denied"],
  "unknown-user": [550, "5.1.1", "No such user here"],
  "mailbox-disabled": [550, "5.2.1", "Mailbox disabled, not accepting messages"],
  "sender-denied": [553, "5.7.1", "Sender address rejected"],
  "author-denied": [550, "5.7.1", "Author field rejected"],
  "utf8-required": [553, "5.6.7", "Non-ASCII address requires SMTPUTF8"],
  "too-many-recipients": [452, "4.5.3", "Too many recipients"],
  "no-recipients": [554, "5.5.1", "No valid recipients"],
  "too-big": [552, "5.3.4", "Message size exceeds fixed maximum message size"],
  "mailbox-full": [452, "4.2.2", "Mailbox full"],
  "bad-content": [550, "5.6.0", "Message content rejected"],
  "too-many-hops": [554, "5.4.6", "Too many hops (mail loop?)"],
  "tls-unavailable": [454, "4.7.0", "TLS not available"],
  greylisted: [451, "4.7.1", "Greylisted"],
  "dmarc-temporary": [451, "4.7.1", "Cannot check the sender's domain (DMARC) now, try again later"],
  "dmarc-reject": [550, "5.7.1", "Rejected by the DMARC policy of the sender's domain"],
  "policy-rejected": [550, "5.7.1", "Message rejected"],
  virus: [554, "5.7.1", "Message refused"],
  screened: [554, "5.7.1", "Service unavailable"],
  "sending-limit": [451, "4.7.1", "Sending limit reached"],
  temporary: [451, "4.3.0", "Temporary server error, try again later"],
  // RFC 5321 4.2.5 / RFC 3463 X.3.0: nothing of the command was committed; the client retries.
  "store-unavailable": [451, "4.3.0", "Mail system temporarily unavailable, try again later"],
};

export function errorReply(kind: SmtpErrorKind, detail?: string): Reply {
  const [code, enhanced, text] = errorTable[kind];
  return reply(code, enhanced, detail ? `${text}: ${detail}` : text);
}

export const replies = {
  greeting: (host: string) => reply(220, null, `${host} ESMTP Yubin`),
  ok: () => reply(250, "2.0.0", "OK"),
  senderOk: () => reply(250, "2.1.0", "Sender OK"),
  recipientOk: () => reply(250, "2.1.5", "Recipient OK"),
  startData: () => reply(354, null, "End data with <CR><LF>.<CR><LF>"),
  accepted: (id: string) => reply(250, "2.0.0", `OK: queued as ${id}`),
  chunkOk: (octets: number) => reply(250, "2.0.0", `${octets} octets received`),
  bye: () => reply(221, "2.0.0", "Bye"),
  startTls: () => reply(220, "2.0.0", "Ready to start TLS"),
  authOk: () => reply(235, "2.7.0", "Authentication successful"),
  authChallenge: (b64: string) => reply(334, null, b64),
  vrfy: () => reply(252, "2.5.2", "Cannot VRFY user, but will accept message and attempt delivery"),
  help: () =>
    reply(214, "2.0.0", "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT STARTTLS AUTH VRFY HELP"),
  timeout: () => reply(421, "4.4.2", "Timeout exceeded, closing connection"),
  tooManyErrors: () => reply(421, "4.7.0", "Too many errors, closing connection"),
  tooManyJunkCommands: (host: string) => reply(421, "4.7.0", `${host} Error: too many junk commands`),
  loginTooLate: () => reply(421, "4.7.0", "Authentication took too long, closing connection"),
  loginEnded: () => reply(421, "4.7.0", "Credentials changed or account disabled, closing connection"),
  tooManyConnections: () => reply(421, "4.7.0", "Too many connections, try again later"),
  shuttingDown: () => reply(421, "4.3.2", "Server shutting down"),
  sessionTooLong: () => reply(421, "4.4.2", "Session time limit exceeded, closing connection"),
};
