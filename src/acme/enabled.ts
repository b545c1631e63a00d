// Whether this server gets its certificate from an ACME CA, and by which challenges it can prove
// it holds the names.
import type { Config } from "../config/schema.js";
import { isPublicName } from "./names.js";

export type ChallengeType = "http-01" | "tls-alpn-01";

/** [acme] enabled: "on" and "off" as said; "auto" when the host name is public, the admin set no
 *  certificate of their own, and a listener sits where a CA connects to check a challenge: port 80
 *  (HTTP-01, RFC 8555 8.3) or 443 (TLS-ALPN-01, RFC 8737 3). */
export function acmeEnabled(config: Config): boolean {
  const mode = config.acme.enabled;
  if (mode !== "auto") return mode === "on";
  if (config.tls.cert || config.tls.key) return false;
  if (!isPublicName(config.server.hostname)) return false;
  return config.listeners.some(
    (l) =>
      l.protocol === "http" &&
      ((l.tls === "none" && l.port === 80) || (l.tls === "implicit" && l.port === 443)),
  );
}

/** The challenge types this server can answer, in the configured order: HTTP-01 needs a
 *  plain-HTTP listener, TLS-ALPN-01 an HTTPS one. (Ports are not checked: a router or firewall
 *  may forward 80 and 443 to the ports we listen on.) */
export function usableChallenges(config: Config): ChallengeType[] {
  const http = config.listeners.some((l) => l.protocol === "http" && l.tls === "none");
  const https = config.listeners.some((l) => l.protocol === "http" && l.tls === "implicit");
  return config.acme.challenges.filter(
    (c): c is ChallengeType => (c === "http-01" && http) || (c === "tls-alpn-01" && https),
  );
}

/** Whether this process serves a certificate ACME issued (by itself or by another process on the
 *  same data directory): unless ACME is off, or "auto" and the admin set a certificate. */
export function servesIssuedCertificate(config: Config): boolean {
  const mode = config.acme.enabled;
  if (mode === "off") return false;
  return mode === "on" || !(config.tls.cert || config.tls.key);
}
