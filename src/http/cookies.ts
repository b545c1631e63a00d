// Cookie header parsing and Set-Cookie building (RFC 6265). Every cookie we set is HttpOnly,
// Secure and SameSite=Strict, with the __Host- prefix (RFC 6265bis 4.1.3.2): the browser then
// refuses it unless it came over HTTPS with Path=/ and no Domain, so a sibling host cannot plant one.

/** Most cookies read from one request; the rest are ignored (bounded work per request). */
const MAX_COOKIES = 64;

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(";")) {
    if (out.size >= MAX_COOKIES) break;
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

export function setCookie(name: string, value: string, maxAgeSec: number): string {
  return `${name}=${value}; Path=/; Max-Age=${maxAgeSec}; HttpOnly; Secure; SameSite=Strict`;
}

export function clearCookie(name: string): string {
  return setCookie(name, "", 0);
}
