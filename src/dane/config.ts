// [dane] section: outbound DANE for SMTP (RFC 7672). It rests on the resolver's AD bit, which
// means something only from a validating resolver reached over a path nobody can tamper with
// (RFC 6698 4.1 / RFC 4035 4.9.3: a resolver on the same host, 127.0.0.1): `[dns] trustAd`
// says the configured servers are that. Without it "auto" stays off.
import { int, oneOf } from "../config/dsl.js";

export const daneSection = {
  enabled: oneOf(
    ["auto", "off"] as const,
    "auto",
    'Outbound DANE (RFC 7672): "auto" = verify MX hosts against their DNSSEC-signed TLSA records when [dns] trustAd is true (a local validating resolver); "off" = never.',
  ),
  maxRecords: int(
    32,
    "Most records read from one DNS answer for DANE (MX, address or TLSA); a bigger answer defers the mail.",
    {
      min: 1,
      max: 1000,
    },
  ),
  cacheSec: int(
    300,
    "How long DANE keeps a DNS answer (MX/address security, TLSA), in seconds, at most its TTL (0 = no cache).",
    {
      min: 0,
      max: 86400,
    },
  ),
};
