// [jmap] limits (RFC 8620 2: the core capability's limits are advertised in the Session object).
// A leaf module, like every config section: src/config/schema.ts composes it, and the loaded
// values are read as ctx.config.jmap.
import { defaultsOf, int, type SectionValue } from "../config/dsl.js";

export const jmapSection = {
  maxSizeUpload: int(50_000_000, "Largest blob upload, in octets (RFC 8620 2 maxSizeUpload).", { min: 1 }),
  maxConcurrentUpload: int(4, "Uploads one account may run at the same time.", { min: 1 }),
  maxSizeRequest: int(10_000_000, "Largest API request body, in octets.", { min: 1024 }),
  maxConcurrentRequests: int(4, "API requests one account may run at the same time.", { min: 1 }),
  maxCallsInRequest: int(32, "Method calls in one API request.", { min: 1 }),
  maxObjectsInGet: int(500, "Ids in one /get call.", { min: 1 }),
  maxObjectsInSet: int(500, "Creates + updates + destroys in one /set call.", { min: 1 }),
  maxChanges: int(5000, "Most changes one /changes call returns (the client's maxChanges may be lower).", {
    min: 1,
  }),
  maxQueryResults: int(5000, "Most ids one /query call returns.", { min: 1 }),
  uploadTtlSec: int(
    86400,
    "How long an uploaded blob is kept if nothing uses it (RFC 8620 6.1: >= 1 hour).",
    {
      min: 3600,
    },
  ),
  uploadQuotaBytes: int(200_000_000, "Octets of pending uploads one account may hold.", { min: 1 }),
  tokenTtlSec: int(86400, "Lifetime of a bearer token issued at login.", { min: 60 }),
  tokenIdleSec: int(
    7200,
    "A bearer token unused this long expires (a stolen token does not live on; the webmail logs in again).",
    { min: 60 },
  ),
  maxTokens: int(
    100_000,
    "Bearer tokens kept at once (in the store, so they survive a restart); the least recently used goes beyond it.",
    { min: 1 },
  ),
  maxTokensPerAccount: int(
    50,
    "Bearer tokens one account may have at once (webmail logins, API clients); its least recently used goes beyond it.",
    { min: 1 },
  ),
  pushRecheckSec: int(
    60,
    "How often an open EventSource stream checks that its account is still enabled with the password it logged in with; a stream a reset has ended is closed.",
    { min: 1 },
  ),
  pushPingMaxSec: int(300, "Longest ping interval an EventSource client may ask for.", { min: 1 }),
  maxEventSources: int(10, "EventSource connections one account may hold open.", { min: 1 }),
  mailboxStatsCacheSize: int(10_000, "Mailboxes whose counts are kept between Mailbox/get calls.", {
    min: 0,
  }),
  submissionsKept: int(
    100,
    "Recent EmailSubmissions kept per account for EmailSubmission/get (in memory, lost on restart).",
    { min: 0 },
  ),
  maxSettingTextBytes: int(
    65536,
    "Longest identity name or signature, and vacation response subject or body, in UTF-8 octets.",
    { min: 256 },
  ),
  maxBodyValueBytes: int(1_000_000, "Largest decoded body value returned by Email/get.", { min: 256 }),
  previewScanBytes: int(
    262_144,
    "Octets of each text part read for Email/get previews and SearchSnippet bodies; the rest of a longer part is not scanned (a snippet term found only further on gives no preview).",
    { min: 1024 },
  ),
};

export type JmapLimits = SectionValue<typeof jmapSection>;

export function defaultJmapLimits(): JmapLimits {
  return defaultsOf(jmapSection);
}
