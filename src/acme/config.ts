// [acme] section: certificates from an ACME CA (RFC 8555; Let's Encrypt by default), obtained and
// renewed by the server itself (src/acme/manager.ts) for every name clients use.
import { bool, int, oneOf, str, strList } from "../config/dsl.js";

export const LETSENCRYPT_PRODUCTION = "https://acme-v02.api.letsencrypt.org/directory";
export const LETSENCRYPT_STAGING = "https://acme-staging-v02.api.letsencrypt.org/directory";

const CHALLENGES = ["http-01", "tls-alpn-01"];

export const acmeSection = {
  enabled: oneOf(
    ["auto", "on", "off"] as const,
    "auto",
    "auto: on when server.hostname is a public name (not localhost, an IP address or a .local/.test/.example/.invalid/.localhost name), [tls] cert is not set, and a plain-HTTP listener is on port 80 or an HTTPS listener on 443 (where the CA connects to check the challenge). on: always (an issued certificate is then served even if [tls] cert is set). off: never. Enabling it means agreeing to the CA's terms of service.",
  ),
  directoryUrl: str(
    LETSENCRYPT_PRODUCTION,
    `ACME directory of the CA. Let's Encrypt's staging directory (${LETSENCRYPT_STAGING}) issues untrusted certificates under far higher rate limits: use it to try a setup first.`,
  ),
  email: str("", "Contact address given to the CA for its expiry and policy notices (mailto:). Empty: none."),
  keyType: oneOf(
    ["ecdsa", "rsa"] as const,
    "ecdsa",
    "Key of the certificate: ecdsa (P-256, small and fast) or rsa (2048 bits, for very old clients).",
  ),
  reuseKey: bool(
    true,
    "Keep the certificate's key across renewals, so DANE TLSA 3 1 1 records published for it stay valid (yubin domain dns prints them); false: a new key at each renewal (the TLSA records must then change with it).",
  ),
  extraNames: strList(
    [],
    "Further host names the certificate covers, beside server.hostname, [autoconfig] hostname and autoconfig.DOMAIN and mta-sts.DOMAIN for each domain.",
  ),
  challenges: strList(
    [...CHALLENGES],
    'Challenge types offered to the CA, in order of preference: "http-01" (answered by a plain-HTTP listener, which the CA reaches on port 80) and "tls-alpn-01" (RFC 8737, answered by an HTTPS listener, which the CA reaches on port 443). Each is used only if such a listener exists.',
    (v) => {
      const bad = v.find((c) => !CHALLENGES.includes(c));
      if (bad) return `unknown challenge type "${bad}" (known: ${CHALLENGES.join(", ")})`;
      return v.length === 0 ? "at least one challenge type" : null;
    },
  ),
  renewAtPercent: int(
    67,
    "Renew when this share of the certificate's lifetime has passed (67: two thirds, 60 days into a 90-day certificate).",
    { min: 10, max: 95 },
  ),
  checkIntervalMin: int(60, "How often the certificate is checked (expiry, names added with new domains).", {
    min: 1,
    max: 1440,
  }),
  retryMinSec: int(300, "First wait after a failed order; it doubles with each further failure.", {
    min: 1,
    max: 86400,
  }),
  retryMaxSec: int(
    21600,
    "Longest wait between attempts after failures (the CA's Retry-After, when rate limited, can be longer).",
    { min: 1, max: 7 * 86400 },
  ),
  warnDays: int(
    20,
    "From this many days before expiry, a certificate not renewed yet is a warning in the log and on the admin TLS page.",
    { min: 1, max: 365 },
  ),
  caFile: str(
    "",
    "PEM file of CA certificates trusted for the ACME server's own HTTPS, beside the system's (a private CA or a test server such as Pebble). Empty: the system's only.",
  ),
  orderTimeoutSec: int(
    300,
    "Longest one order may take (account, challenges, finalisation, download) before it counts as failed.",
    { min: 10, max: 3600 },
  ),
};
