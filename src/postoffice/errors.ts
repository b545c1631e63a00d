// Why the post office refused a message, by kind; each door renders it in its own protocol
// (SMTP: src/smtp/message/accept.ts maps it to a reply; JMAP: a SetError in submission/submit.ts).
// Store errors (QuotaError) pass through unchanged: the doors already know them.

export type PostOfficeErrorKind =
  | "too-many-hops" // more Received fields than smtp.maxReceivedHeaders (RFC 5321 §6.3)
  | "malformed" // inbound: not exactly one From, or a From naming no mailbox (RFC 5322 §3.6)
  | "dmarc-reject" // inbound: the sender domain's DMARC policy says reject (RFC 7489 §6.6.3)
  | "dmarc-temporary" // inbound: DMARC would reject, but a DNS check failed for now
  | "rejected" // a filter refused it
  | "virus" // a filter found a virus (the message is its name): refused, never bounced
  | "filter-temporary" // a filter cannot decide now (a scanner down): temporary, the sender retries
  | "sending-limit"; // the sending account is over its limit or frozen (sending-limits.ts): temporary

export class PostOfficeError extends Error {
  override name = "PostOfficeError";
  constructor(
    readonly kind: PostOfficeErrorKind,
    message: string,
    /** The filter that refused it (kind "rejected" by the filter stage), for /metrics. */
    readonly filter?: string,
  ) {
    super(message);
  }
}
