// What one outbound connection attempt learned about TLS, for TLS-RPT (RFC 8460). The delivery
// engine (deliver.ts) reports one outcome per connection attempt to a destination host through
// DeliverDeps.tlsOutcome; the TLS-RPT recorder (src/reports/) counts them per policy domain and
// day. DANE (RFC 7672) and MTA-STS (RFC 8461) decide the policy; a failure of theirs names its
// RFC 8460 4.3 result type.

/** RFC 8460 4.3 result types (4.3.1 negotiation, 4.3.2 policy). */
export type TlsFailureType =
  | "starttls-not-supported"
  | "certificate-host-mismatch"
  | "certificate-expired"
  | "certificate-not-trusted"
  | "validation-failure"
  | "tlsa-invalid"
  | "dnssec-invalid"
  | "dane-required"
  | "sts-policy-fetch-error"
  | "sts-policy-invalid"
  | "sts-webpki-invalid";

/** RFC 8460 4.4 policy-type: which policy applied to the destination. */
export type TlsPolicyType = "tlsa" | "sts" | "no-policy-found";

export interface TlsPolicyApplied {
  type: TlsPolicyType;
  /** policy-string: the TLSA records (presentation form) or the MTA-STS policy's lines. */
  strings: string[];
  /** RFC 8460 4.4 mx-host: the MTA-STS policy's mx patterns (sts only). */
  mxHosts: string[];
}

export interface TlsOutcome {
  /** policy-domain: the recipient domain (RFC 8460 4.4). */
  domain: string;
  policy: TlsPolicyApplied;
  /** The MX host name tried, and the address connected to. */
  mxHost: string;
  address: string;
  /** Our end's address (RFC 8460 4.4 sending-mta-ip), when known. */
  sourceAddress?: string;
  /** success, or the failure type; null when the attempt failed before TLS mattered (no
   *  connection at all): such attempts are not counted (RFC 8460 counts TLS sessions). */
  result: "success" | TlsFailureType | null;
  /** Free-text detail for failure-details (the TLS alert, the mismatching name). */
  detail?: string;
}

/** Thrown (as SmtpFailure.tlsFailure) or returned by the TLS policy checks, so deliver.ts can
 *  report the RFC 8460 result type of a refused connection. */
export interface HasTlsFailure {
  tlsFailure?: TlsFailureType;
}
