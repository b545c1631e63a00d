// Which RFC 8460 4.3 result type a failed outbound connection counts as, for TLS-RPT, from the
// error nodemailer's SMTPConnection gave: it renames every socket error "ESOCKET" and keeps
// Node's own code (the certificate check's) as originalCode; a refused STARTTLS is "ETLS" with
// the command "STARTTLS". Errors that are not about TLS (refused connection, timeout, a 4xx
// greeting) give undefined: RFC 8460 counts TLS sessions, not attempts that never got there.
import type { TlsFailureType } from "./tls-outcome.js";

interface ErrorLike {
  code?: unknown;
  originalCode?: unknown;
  command?: unknown;
}

// Node's (OpenSSL's) certificate verification codes, by RFC 8460 4.3.1 type.
const notTrusted = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
]);
const certificateCodes = new Set([
  "CERT_NOT_YET_VALID",
  "CERT_SIGNATURE_FAILURE",
  "CERT_REVOKED",
  "INVALID_CA",
  "PATH_LENGTH_EXCEEDED",
  "INVALID_PURPOSE",
  "ERROR_IN_CERT_NOT_BEFORE_FIELD",
  "ERROR_IN_CERT_NOT_AFTER_FIELD",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "HOSTNAME_MISMATCH",
]);

export function tlsFailureOf(err: unknown): TlsFailureType | undefined {
  const e = (err ?? {}) as ErrorLike;
  const original = typeof e.originalCode === "string" ? e.originalCode : "";
  if (original === "ERR_TLS_CERT_ALTNAME_INVALID") return "certificate-host-mismatch";
  if (original === "CERT_HAS_EXPIRED") return "certificate-expired";
  if (notTrusted.has(original)) return "certificate-not-trusted";
  if (certificateCodes.has(original) || original.startsWith("ERR_TLS_") || original.startsWith("ERR_SSL_"))
    return "validation-failure";
  // STARTTLS asked for (requireTls, MTA-STS enforce, DANE) and refused or not offered.
  if (e.code === "ETLS" && e.command === "STARTTLS") return "starttls-not-supported";
  return undefined;
}
