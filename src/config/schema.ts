// The whole config file's schema. Each protocol owns its section (src/<proto>/config.ts);
// this file composes them. Listeners are a list of tables, validated in load.ts.

import { acmeSection } from "../acme/config.js";
import { antivirusSection } from "../antivirus/config.js";
import { autoconfigSection } from "../autoconfig/config.js";
import { clusterSection } from "../cluster/config.js";
import { daneSection } from "../dane/config.js";
import { deliverySection } from "../delivery/config.js";
import { vacationSection } from "../delivery/vacation-config.js";
import { dnsSection } from "../dns/config.js";
import { dnsblSection } from "../dnsbl/config.js";
import { greylistSection } from "../greylist/config.js";
import { httpSection } from "../http/config.js";
import { imapSection } from "../imap/config.js";
import { importSection } from "../import/config.js";
import { jmapSection } from "../jmap/config.js";
import { mailauthSection } from "../mailauth/config.js";
import { managesieveSection } from "../managesieve/config.js";
import { metricsSection } from "../metrics/config.js";
import { oauthSection } from "../oauth/config.js";
import { outboundSection } from "../outbound/config.js";
import { pop3Section } from "../pop3/config.js";
import { limitsSection } from "../postoffice/limits-config.js";
import { proxySection } from "../proxy/config.js";
import { reportsSection } from "../reports/config.js";
import { rspamdSection } from "../rspamd/config.js";
import { sieveSection } from "../sieve/config.js";
import { smtpSection } from "../smtp/config.js";
import { spamSection } from "../spam/config.js";
import { statsSection } from "../stats/config.js";
import { workersSection } from "../workers/config.js";
import { bool, int, oneOf, type SectionValue, str, strList } from "./dsl.js";

/** What a node can do (server.roles); src/app/roles.ts maps them to listeners and jobs. */
export const serverRoles = ["mx", "submission", "pop3", "imap", "managesieve", "http", "delivery"] as const;
export type ServerRole = (typeof serverRoles)[number];

export const serverSection = {
  hostname: str(
    "localhost",
    "Host name this server announces (SMTP greeting, certificates, Received headers).",
  ),
  dataDir: str("./data", "Directory holding the database, message bodies and generated keys."),
  shutdownGraceSec: int(10, "On SIGTERM, how long in-flight transactions may take to finish.", { max: 600 }),
  eventLoopBlockWarnMs: int(
    200,
    "Log a warning naming the running commands when one piece of work blocks the event loop (every client waits) this long; 0: off.",
    { min: 0, max: 60000 },
  ),
  connectionLimitExemptIps: strList(
    [],
    "Client IP addresses exempt from the per-IP connection caps of SMTP, POP3, IMAP, ManageSieve and HTTP(S) (smtp/pop3/imap/managesieve/http.maxConnectionsPerIp) and from the per-account ones (imap/smtp/managesieve.maxConnectionsPerUserIp), e.g. a webmail or proxy host; the per-listener totals still apply.",
  ),
  roles: strList(
    [...serverRoles],
    `What this node does, any of ${serverRoles.join(", ")} (default all): mx = the smtp listeners (port 25), http = webmail, JMAP and admin pages, delivery = the outbound delivery engine (off: this node queues mail but never claims the queue). Listeners of other roles are not started.`,
    (v) => {
      const bad = v.find((r) => !(serverRoles as readonly string[]).includes(r));
      return bad !== undefined
        ? `unknown role ${JSON.stringify(bad)} (roles: ${serverRoles.join(", ")})`
        : null;
    },
  ),
};

export const tlsSection = {
  cert: str("", "PEM certificate chain file. Empty: a self-signed certificate in dataDir/tls is created."),
  key: str("", "PEM private key file. Empty: generated along with the self-signed certificate."),
  minVersion: oneOf(["TLSv1.2", "TLSv1.3"] as const, "TLSv1.2", "Oldest TLS version accepted."),
};

export const storageSection = {
  backend: oneOf(
    ["sqlite", "postgres"] as const,
    "sqlite",
    "Storage backend: sqlite (embedded in dataDir, the default) or postgres (one database several nodes share: postgresUrl).",
  ),
  postgresUrl: str(
    "",
    'With backend = "postgres": the database, as postgres://user:password@host:5432/dbname (or set YUBIN_POSTGRES_URL).',
  ),
  postgresPoolSize: int(20, 'With backend = "postgres": most connections this process holds.', {
    min: 1,
    max: 1000,
  }),
  postgresConnectTimeoutMs: int(
    5000,
    'With backend = "postgres": how long a call waits for a database connection before it fails as temporary (SMTP 451, IMAP NO [UNAVAILABLE]).',
    { min: 100, max: 600000 },
  ),
  inlineMaxBytes: int(
    65536,
    "Message bodies up to this size are kept inside the database (one fsync per batch); larger ones as files.",
    { max: 16 * 1024 * 1024 },
  ),
  mailboxNameMaxBytes: int(1024, "Longest mailbox name (UTF-8 octets, including parents).", {
    min: 16,
    max: 65536,
  }),
  mimeMaxDepth: int(50, "Deepest MIME nesting parsed; deeper parts are treated as opaque.", {
    min: 1,
    max: 1000,
  }),
  mimeMaxParts: int(10000, "Most MIME parts parsed per message; the rest is one opaque part.", { min: 1 }),
  groupCommitMaxBatch: int(256, "Most deliveries committed together in one durable transaction.", {
    min: 1,
    max: 10000,
  }),
  checkpointIntervalMs: int(
    200,
    "Least time between two copies of the write-ahead log into the database, done on a thread of their own between group commits; 0: by SQLite inside a commit.",
    { min: 0, max: 60000 },
  ),
  mmapBytes: int(
    268435456,
    "Octets of the SQLite database file read through a memory map (PRAGMA mmap_size) instead of read calls: after another process's commit (serve --workers N) each process drops its page cache, and mapped pages come back without a copy; 0: none.",
    { min: 0 },
  ),
  flagCacheMessages: int(
    500000,
    "Messages whose UID, mod-sequence and flags are kept in memory for IMAP (about 50 bytes each); 0: read them from the database every time.",
    { min: 0 },
  ),
  fullTextMaxBytes: int(
    1048576,
    "Octets of a message's text parts the full-text index holds (SEARCH BODY/TEXT, JMAP text filters); a longer message stays searchable, by reading it at each search; 0: no limit.",
    { min: 0 },
  ),
  fullTextMaxWords: int(
    2000,
    "Words of the full-text index's vocabulary one search text may stand for (a needle inside many words, like ing, stands for each word containing it); a search beyond reads every message of the mailbox.",
    { min: 1, max: 100000 },
  ),
  fullTextMaxNewWords: int(
    1000,
    "Words new to the full-text index's vocabulary one message may add (1 MB of random base64 brings ~40,000, which cost 0.8 s of CPU in one write); a message with more stays searchable, by reading it at each search.",
    { min: 1 },
  ),
  fullTextBatchBytes: int(
    1048576,
    "Text (characters) after which one write of the full-text indexer takes no more messages, so one write never holds the server for long; it holds this plus at most one message's text.",
    { min: 1 },
  ),
  fullTextBatchNewWords: int(
    4000,
    "Vocabulary words new to the full-text index after which one of its writes takes no more messages (each costs ~20 µs of CPU on SQLite, in the write).",
    { min: 1 },
  ),
  externalChangePollMs: int(
    1000,
    "How often, in milliseconds, mail changed by another process (yubin import while the server runs) is looked for, so IMAP IDLE, POP3 and JMAP push sessions hear of it; 0: never (they see it at their next SELECT or query).",
    { min: 0, max: 60000 },
  ),
};

export const logSection = {
  level: oneOf(["debug", "info", "warn", "error"] as const, "info", "Lowest level written."),
  format: oneOf(
    ["auto", "json", "pretty"] as const,
    "auto",
    "auto: readable on a terminal, JSON lines otherwise.",
  ),
};

export const authSection = {
  throttleWindowSec: int(
    900,
    "Window over which failed logins are counted, per (client IP, account) pair, per IP and per account.",
    { min: 1 },
  ),
  throttleFreeFailures: int(
    3,
    "Failures of one (IP, account) pair allowed in the window before its replies are delayed.",
  ),
  throttleMaxFailures: int(
    10,
    "Failures of one (IP, account) pair in the window after which that pair is refused until the window ends; a client that logged in to the account before is never refused.",
    { min: 1 },
  ),
  throttleBaseDelayMs: int(
    500,
    "Delay after the first extra failure; doubles per failure (capped at 10 s).",
    {
      max: 10000,
    },
  ),
  throttleParallelPerIp: int(
    64,
    "Logins one IP may have checked at once by clients not known to the account; more are refused for the moment.",
    { min: 1, max: 4096 },
  ),
  throttleMaxAccountsPerIp: int(
    10,
    "Distinct accounts failing from one IP in the window after which the IP is refused (password spraying), except for clients known to the account.",
    { min: 1, max: 100000 },
  ),
  throttleIpDelayCapMs: int(
    2000,
    "Most that the failures of other users behind one IP (an office NAT), or a known client's own, add to a login's delay.",
    { min: 0, max: 10000 },
  ),
  throttleKnownClientDays: int(
    30,
    "How long a successful login keeps its (account, IP) pair, and the web browser's device cookie, known to the throttle.",
    { min: 1, max: 400 },
  ),
  throttleKnownMaxFailures: int(
    50,
    "Failures in the window of an (IP, account) pair that logged in before which refuse it all the same: far more than a stale phone's retries, it bounds a guesser sharing the user's address (carrier-grade NAT, café Wi-Fi). Successes do not clear this count; a browser known by its device cookie is not held by it.",
    { min: 1 },
  ),
  throttleAccountAlarmFailures: int(
    100,
    "Failures on one account from all IPs in the window after which clients not known to it get the longest delay and are refused after throttleFreeFailures (guessing from many addresses).",
    { min: 1 },
  ),
  verifiedLoginCacheSec: int(
    300,
    "A login verified this recently skips the (deliberately slow) password hash check; 0 = always check.",
    { max: 86400 },
  ),
  sessionRecheckSec: int(
    60,
    "How often a logged-in IMAP, POP3, ManageSieve or SMTP submission connection re-reads its account before a command (and when an IDLE wakes): after a password change or reset, a disable or a deletion it is closed; 0 = before every command.",
    { min: 0, max: 86400 },
  ),
  popBeforeSmtp: bool(
    false,
    "LEGACY, off by default: an IP that logged in over POP3/IMAP may send without SMTP AUTH for a while. Prefer SMTP AUTH.",
  ),
  popBeforeSmtpMinutes: int(10, "How long a POP3/IMAP login opens the IP for sending (popBeforeSmtp).", {
    min: 1,
    max: 1440,
  }),
  appPasswordsMax: int(
    50,
    "Most app passwords (per-device passwords for IMAP, POP3, SMTP submission, JMAP) one account may have.",
    { min: 0, max: 1000 },
  ),
  appPasswordIdleRecheckSec: int(
    5,
    "How often an IMAP session idling (IDLE) after a login with an app password checks that the app password was not revoked, so a revoked device is disconnected within this time; 0: only when IDLE wakes up.",
    { min: 0, max: 3600 },
  ),
  require2fa: oneOf(
    ["none", "admins", "all"] as const,
    "none",
    "Who must have two-factor login (TOTP or a passkey) for the webmail and admin pages: none, admins, or all. Those without it are sent to enrolment right after the password step.",
  ),
  twoFactorPendingSec: int(
    300,
    "How long the web login's second step (code or passkey) may take after the password was accepted, in seconds.",
    { min: 30, max: 3600 },
  ),
  passkeysMax: int(20, "Most passkeys (WebAuthn credentials) one account may register.", {
    min: 0,
    max: 100,
  }),
  webauthnRpId: str(
    "",
    "WebAuthn relying-party id (a domain, e.g. example.com) passkeys are bound to. Empty: the host name the page was loaded from.",
  ),
};

export const quotaSection = {
  defaultBytes: int(0, "Storage quota for new accounts in bytes (0 = unlimited)."),
  defaultMessages: int(0, "Message-count quota for new accounts (0 = unlimited)."),
};

export const schema = {
  server: serverSection,
  tls: tlsSection,
  acme: acmeSection,
  storage: storageSection,
  cluster: clusterSection,
  log: logSection,
  auth: authSection,
  quota: quotaSection,
  smtp: smtpSection,
  pop3: pop3Section,
  imap: imapSection,
  dns: dnsSection,
  dane: daneSection,
  dnsbl: dnsblSection,
  mailauth: mailauthSection,
  outbound: outboundSection,
  http: httpSection,
  autoconfig: autoconfigSection,
  jmap: jmapSection,
  vacation: vacationSection,
  delivery: deliverySection,
  greylist: greylistSection,
  limits: limitsSection,
  antivirus: antivirusSection,
  spam: spamSection,
  rspamd: rspamdSection,
  oauth: oauthSection,
  sieve: sieveSection,
  managesieve: managesieveSection,
  proxy: proxySection,
  import: importSection,
  reports: reportsSection,
  metrics: metricsSection,
  stats: statsSection,
  workers: workersSection,
};

export type Schema = typeof schema;

export const protocols = ["smtp", "submission", "pop3", "imap", "managesieve", "http"] as const;
export type Protocol = (typeof protocols)[number];
export const tlsModes = ["none", "starttls", "implicit"] as const;
export type TlsMode = (typeof tlsModes)[number];

export interface ListenerConfig {
  protocol: Protocol;
  address: string;
  port: number; // 0 = ephemeral (tests)
  tls: TlsMode;
  /** Each connection starts with a PROXY protocol header from one of [proxy] trustedSources
   *  (src/proxy/), whose client address then stands for the connection's. */
  proxyProtocol?: boolean;
}

export type Config = { [K in keyof Schema]: SectionValue<Schema[K]> } & { listeners: ListenerConfig[] };
