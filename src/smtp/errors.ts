// Why a command failed, by who is at fault. Handlers throw SmtpError with a kind; replies.ts
// turns each kind into its reply code and enhanced status code, in one table.

export type SmtpErrorKind =
  // client errors: syntax and sequence
  | "syntax" // 501 5.5.4 bad arguments
  | "unknown-command" // 500 5.5.2
  | "not-implemented" // 502 5.5.1
  | "bad-sequence" // 503 5.5.1
  | "bad-param" // 555 5.5.4 unrecognised MAIL/RCPT parameter
  | "line-too-long" // 500 5.5.2
  // policy
  | "auth-required" // 530 5.7.0
  | "encryption-required" // 538 5.7.11 (RFC 4954 §6)
  | "auth-mechanism" // 504 5.5.4
  | "auth-invalid" // 535 5.7.8
  | "auth-throttled" // 454 4.7.0
  | "auth-app-password" // 534 5.7.9
  | "auth-user-ip-limit" // 454 4.7.0 (smtp.maxConnectionsPerUserIp)
  | "auth-temporary" // 454 4.7.0 (OAuth provider unreachable)
  | "auth-cancelled" // 501 5.0.0
  | "auth-protocol" // 501 5.5.2 bad base64 / SASL syntax
  | "relay-denied" // 554 5.7.1
  | "unknown-user" // 550 5.1.1
  | "mailbox-disabled" // 550 5.2.1 (RFC 3463 X.2.1)
  | "sender-denied" // 553 5.7.1 (send-as)
  | "author-denied" // 550 5.7.1 (an author field's display name shows another address)
  | "utf8-required" // 553 5.6.7 (RFC 6531 §3.5)
  | "too-many-recipients" // 452 4.5.3
  | "no-recipients" // 554 5.5.1
  | "too-big" // 552 5.3.4
  | "mailbox-full" // 452 4.2.2
  | "bad-content" // 550 5.6.0 (bare CR/LF, over-long line)
  | "too-many-hops" // 554 5.4.6 (RFC 5321 §6.3)
  | "tls-unavailable" // 454 4.7.0
  | "greylisted" // 451 4.7.1 (RFC 6647 §2.1; the detail says when to retry)
  | "dmarc-temporary" // 451 4.7.1 (DMARC would reject, but a check failed for now: RFC 7489 §6.6.2)
  | "dmarc-reject" // 550 5.7.1 (RFC 7489 §6.6.3; RFC 7372 §3.3 would be 5.7.26, 5.7.1 is what senders expect)
  | "policy-rejected" // 550 5.7.1 (a post office filter refused the message; its reason is the text)
  | "virus" // 554 5.7.1 (the antivirus filter found one; the detail names it: src/antivirus)
  | "screened" // 554 5.7.1 (port 25: a DNS list or postscreen-style check refused the client, src/dnsbl)
  | "sending-limit" // 451 4.7.1 (the account's sending limit or freeze; 4xx: the client keeps the message)
  // server side
  | "temporary" // 451 4.3.0
  | "store-unavailable"; // 451 4.3.0 (the database is down: StoreError "unavailable")

export class SmtpError extends Error {
  constructor(
    readonly kind: SmtpErrorKind,
    readonly detail?: string,
  ) {
    super(detail ?? kind);
    this.name = "SmtpError";
  }
}
