// [dns] section: which DNS servers delivery, SPF/DKIM/DMARC checks and the admin DNS page ask.
import { bool, int, strList } from "../config/dsl.js";

export const dnsSection = {
  servers: strList(
    [],
    'DNS servers as "ip" or "ip:port" (for example ["127.0.0.1:5353"]); empty = the system resolver (/etc/resolv.conf).',
  ),
  timeoutMs: int(5000, "Time one DNS query may take before it is retried.", { min: 100, max: 60000 }),
  tries: int(2, "Attempts per DNS query.", { min: 1, max: 10 }),
  cacheSec: int(
    60,
    "How long delivery and the SPF/DKIM/DMARC checks keep a DNS answer, in seconds (0 = no cache). Node's resolver gives no TTL for MX/TXT, so this is a fixed, short time.",
    { min: 0, max: 3600 },
  ),
  negativeCacheSec: int(30, 'How long "no such name / no such record" is kept, in seconds.', {
    min: 0,
    max: 3600,
  }),
  cacheEntries: int(10000, "Most DNS answers kept in memory.", { min: 1, max: 1000000 }),
  trustAd: bool(
    false,
    "The servers above are DNSSEC-validating resolvers on a path nobody can tamper with (e.g. unbound on 127.0.0.1), so their AD bit is believed. Outbound DANE ([dane]) needs it.",
  ),
};
