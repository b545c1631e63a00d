// Headers on every response. The pages are server-rendered forms without scripts, so the CSP can
// forbid every script and inline style; frames are refused (clickjacking on admin buttons).

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

/** What every page of ours sends (admin pages, webmail), with the page's own CSP. */
export function baseSecurityHeaders(csp: string): Record<string, string> {
  return {
    "Content-Security-Policy": csp,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    // Not "no-referrer": with it browsers send "Origin: null" on our own form POSTs, which the
    // Origin check (csrf.ts) must refuse. same-origin leaks nothing to other sites.
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
  };
}

export function securityHeaders(): Record<string, string> {
  return baseSecurityHeaders(CONTENT_SECURITY_POLICY);
}

/** Strict-Transport-Security (RFC 6797) for a response over HTTPS, or null. Only with a
 *  configured certificate ([tls] cert) or one ACME obtained (not from a staging CA): with the self-signed one made at first start, HSTS would
 *  forbid browsers the click-through their warning offers (RFC 6797 12.1), locking users out. */
export function hstsHeader(opts: {
  secure: boolean;
  configuredCert: boolean;
  maxAgeSec: number;
}): string | null {
  if (!opts.secure || !opts.configuredCert || opts.maxAgeSec <= 0) return null;
  return `max-age=${opts.maxAgeSec}`;
}
