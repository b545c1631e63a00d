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

export function securityHeaders(opts: { secure: boolean; hstsMaxAgeSec: number }): Record<string, string> {
  const h = baseSecurityHeaders(CONTENT_SECURITY_POLICY);
  if (opts.secure && opts.hstsMaxAgeSec > 0) h["Strict-Transport-Security"] = `max-age=${opts.hstsMaxAgeSec}`;
  return h;
}
