// What the rest of the server sees of ACME (AppContext.acme): its state for the admin TLS page
// and `yubin status`, the HTTP-01 answers, and a renewal on demand.

export interface IssuedCertificate {
  serial: string;
  issuer: string;
  names: string[];
  notBefore: Date;
  notAfter: Date;
}

export interface AcmeStatus {
  directoryUrl: string;
  /** The names the certificate should cover now. */
  names: string[];
  /** Challenge types this server answers, in order of preference. */
  challenges: string[];
  /** ordering: an order is running; failing: the last one failed (see lastError). */
  state: "waiting" | "ordering" | "valid" | "failing";
  /** The main certificate (with the server's host name). */
  certificate: IssuedCertificate | null;
  /** Every issued certificate: one, or more when the names exceed 100 (chosen by SNI). */
  certificates?: IssuedCertificate[];
  lastRenewal: Date | null;
  lastError: { at: Date; kind: string; message: string } | null;
  failures: number;
  /** When the certificate is due for renewal (renewAtPercent of its lifetime). */
  renewalDue: Date | null;
  nextCheck: Date | null;
  /** Set from [acme] warnDays before expiry while not renewed, or when names are left out. */
  warning: string | null;
  /** The certificate's key file (kept across renewals unless [acme] reuseKey = false). */
  keyPath: string;
}

export interface AcmeService {
  status(): AcmeStatus;
  /** The key authorization for an HTTP-01 token, or null. */
  httpAnswer(token: string): string | null;
  /** A certificate from a CA browsers trust is being served: one is issued and the directory
   *  is not a staging one (whose certificates browsers refuse). HSTS is sent only then. */
  servesTrustedCertificate(): boolean;
  /** Check now; with force, order a new certificate even if the current one is not due. */
  renew(opts?: { force?: boolean }): Promise<AcmeStatus>;
}
