// Response headers of the webmail. The page's Content-Security-Policy allows scripts only from
// our own origin (the Vite bundle), so nothing inline runs, and a message body can never run a
// script: it is shown in an <iframe srcdoc sandbox> without allow-scripts, whose document inherits
// this policy and adds its own stricter one (web/src/mail/sanitize.ts). Inline styles are
// allowed because mail HTML is styled inline; img-src allows https: only for remote images the
// user asked to load (the frame's own policy blocks them otherwise). The other headers are the
// admin pages' (http/security-headers.ts).
import { baseSecurityHeaders } from "../http/security-headers.js";

export const WEBMAIL_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: https:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "manifest-src 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join("; ");

/** For anything else served through the webmail (JMAP JSON, downloaded blobs): a document
 *  opened from it is sandboxed with no scripts, whatever its Content-Type claims. */
export const DOWNLOAD_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'";

export function pageHeaders(): Record<string, string> {
  return baseSecurityHeaders(WEBMAIL_CSP);
}
