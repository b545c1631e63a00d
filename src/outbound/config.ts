// [outbound] section: the delivery engine that works the outbound queue (mail for other domains).
import { bool, int, oneOf, type SectionValue, str, strList } from "../config/dsl.js";

const HOUR = 3_600_000;

export const outboundSection = {
  enabled: bool(
    true,
    "Deliver queued mail to other domains (MX lookup, SMTP). Off: mail for other domains waits in the queue (for a process that serves only IMAP/POP3, or when another node works the queue).",
  ),
  port: int(25, "TCP port of remote mail servers (RFC 5321: 25). Tests point it at a local instance.", {
    min: 1,
    max: 65535,
  }),
  sourceAddress: str("", "Local IP address outgoing connections are bound to; empty = chosen by the system."),
  heloName: str("", "Name sent in EHLO; empty = server.hostname."),
  maxMxHosts: int(10, "Most MX hosts of one domain tried in one attempt.", { min: 1, max: 100 }),
  maxConnections: int(100, "Most deliveries (SMTP transactions) in progress at once, in total.", {
    min: 1,
    max: 10000,
  }),
  maxConnectionsPerDomain: int(10, "Most deliveries in progress at once to one destination domain.", {
    min: 1,
    max: 1000,
  }),
  maxMessagesPerConnection: int(100, "Messages sent over one connection before it is closed.", {
    min: 1,
    max: 100000,
  }),
  idleKeepMs: int(5000, "How long an idle connection is kept open for the next message to the same host.", {
    max: 300000,
  }),
  connectTimeoutMs: int(30000, "Time to establish a TCP connection to a remote server.", { min: 100 }),
  greetingTimeoutMs: int(300000, "Time to wait for the 220 greeting (RFC 5321 4.5.3.2: 5 minutes).", {
    min: 100,
  }),
  socketTimeoutMs: int(
    600000,
    "Inactivity after which a connection is dropped (RFC 5321 4.5.3.2: 10 minutes).",
    {
      min: 100,
    },
  ),
  pollIntervalMs: int(1000, "How often the queue is checked for messages that are due.", {
    min: 10,
    max: 600000,
  }),
  leaseMs: int(
    600000,
    "A message being delivered is leased for this long (renewed while working); after a crash it is retried once the lease ends.",
    { min: 500 },
  ),
  retryBaseMs: int(300000, "Delay before the first retry after a temporary failure.", { min: 10 }),
  retryFactor: int(2, "Each further retry waits this many times longer than the previous one.", {
    min: 1,
    max: 10,
  }),
  retryMaxMs: int(4 * HOUR, "Longest delay between two attempts.", { min: 10 }),
  maxQueueTimeMs: int(
    120 * HOUR,
    "How long a message is retried before it is returned to its sender (default 5 days).",
    { min: 100 },
  ),
  delayNoticeAfterMs: int(
    4 * HOUR,
    "Send the sender a delay notice (RFC 3464, action=delayed) once after a message waited this long; 0 = never.",
  ),
  bounceReturnMaxBytes: int(
    262144,
    "A bounce returns the whole original message (RET=FULL) only up to this size; larger ones return the header.",
  ),
  requireTls: strList(
    [],
    "Destination domains mail is only sent to over TLS with a verified certificate (else it is deferred).",
  ),
  mtaSts: bool(true, "Fetch and apply MTA-STS policies (RFC 8461) of destination domains."),
  mtaStsPort: int(443, "HTTPS port of mta-sts.DOMAIN policy servers (RFC 8461: 443).", {
    min: 1,
    max: 65535,
  }),
  mtaStsTimeoutMs: int(15000, "Time allowed for an MTA-STS policy fetch.", { min: 100 }),
  mtaStsMaxBytes: int(65536, "Largest MTA-STS policy accepted (RFC 8461 3.3 suggests 64 KiB).", { min: 256 }),
  caFile: str(
    "",
    "Extra PEM CA certificates trusted when a certificate is verified (MTA-STS, requireTls, smarthost); empty = the system's.",
  ),
  smarthost: str("", "Send all outbound mail through this relay host instead of MX lookup; empty = direct."),
  smarthostPort: int(587, "Port of the relay host.", { min: 1, max: 65535 }),
  smarthostTls: oneOf(
    ["starttls", "implicit", "none"] as const,
    "starttls",
    "TLS to the relay host: starttls (required), implicit (port 465), none.",
  ),
  smarthostUser: str("", "AUTH user name at the relay host; empty = no AUTH."),
  smarthostPassword: str("", "AUTH password at the relay host."),
  srs: bool(
    true,
    "Rewrite the envelope sender of mail from other domains that we forward to other domains (Sieve redirect, forwarding aliases) with SRS, so SPF passes at the receiver; bounces to the SRS address go back to the original sender.",
  ),
  srsDomain: str(
    "",
    "Domain of SRS addresses (SRS0=...@domain); empty = server.hostname. Its MX must point here and its SPF record must allow this server.",
  ),
  srsMaxAgeDays: int(21, "How long an SRS address stays valid for bounces, in days (libsrs2/postsrsd: 21).", {
    min: 1,
    max: 1000,
  }),
};

export type OutboundConfig = SectionValue<typeof outboundSection>;
