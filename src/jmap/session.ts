// The Session resource (RFC 8620 2): capabilities with their limits, the one account of the
// authenticated user, and the URL templates of the API, upload, download and push endpoints.
import type { SieveConfig } from "../sieve/config.js";
import type { Account } from "../store/types.js";
import { CAP_APP_PASSWORDS } from "./app-passwords/object.js";
import type { JmapLimits } from "./config.js";
import { accountIdOf, CAP_CORE, CAP_MAIL, CAP_SUBMISSION, CAP_VACATION } from "./core/ids.js";
import type { JsonObject } from "./core/types.js";
import { CAP_SIEVE, sieveAccountCapability } from "./sieve/object.js";
import { CAP_SPAM } from "./spam-settings/object.js";

export const JMAP_PATHS = {
  session: "/.well-known/jmap",
  api: "/jmap/api",
  upload: "/jmap/upload/",
  download: "/jmap/download/",
  eventSource: "/jmap/eventsource",
} as const;

const BASE_CAPABILITIES = [CAP_CORE, CAP_MAIL, CAP_SUBMISSION, CAP_VACATION];

/** Which of our extensions a session offers. */
export interface ExtensionOptions {
  /** The spam filter runs: urn:yubin:params:jmap:spam is offered. */
  spam: boolean;
  /** The request was authenticated with the account password (a webmail token or Basic), not
   *  with an app password: urn:yubin:params:jmap:apppasswords is offered. A device holding an
   *  app password must not mint others that would outlive its own revocation. */
  appPasswords: boolean;
  /** Users' Sieve scripts run at delivery ([sieve] enabled): urn:ietf:params:jmap:sieve
   *  (RFC 9661) is offered. */
  sieve: boolean;
}

/** What a request may list in "using" (RFC 8620 3.6.1 unknownCapability otherwise): our spam
 *  extension only while the server's spam filter runs ([spam] enabled), since its settings do
 *  nothing without it; the app-password extension only to the account password. */
export function capabilities(ext: ExtensionOptions): ReadonlySet<string> {
  return new Set([
    ...BASE_CAPABILITIES,
    ...(ext.spam ? [CAP_SPAM] : []),
    ...(ext.appPasswords ? [CAP_APP_PASSWORDS] : []),
    ...(ext.sieve ? [CAP_SIEVE] : []),
  ]);
}

/** Changes whenever what the Session object says changes (RFC 8620 2: state); the suffix is
 *  bumped when the capabilities change (-2: vacationresponse; "s": the spam extension; "p": the
 *  app-password extension; "v": JMAP Sieve). */
export function sessionState(account: Account, ext: ExtensionOptions): string {
  return `s${account.id}-2${ext.spam ? "s" : ""}${ext.appPasswords ? "p" : ""}${ext.sieve ? "v" : ""}`;
}

export interface SessionOptions extends ExtensionOptions {
  limits: JmapLimits;
  /** The [sieve] limits, for the JMAP Sieve account capability (RFC 9661 1.2.1). */
  sieveLimits: SieveConfig;
  /** Where clients reach us, for the URLs. */
  baseUrl: string;
}

export function buildSession(account: Account, opts: SessionOptions): JsonObject {
  const { limits, baseUrl, spam } = opts;
  const id = accountIdOf(account.id);
  // Our extensions (RFC 8620 2: capability URIs outside urn:ietf are vendor-specific).
  const spamCap: JsonObject = {
    ...(spam ? { [CAP_SPAM]: {} } : {}),
    ...(opts.appPasswords ? { [CAP_APP_PASSWORDS]: {} } : {}),
  };
  return {
    capabilities: {
      [CAP_CORE]: {
        maxSizeUpload: limits.maxSizeUpload,
        maxConcurrentUpload: limits.maxConcurrentUpload,
        maxSizeRequest: limits.maxSizeRequest,
        maxConcurrentRequests: limits.maxConcurrentRequests,
        maxCallsInRequest: limits.maxCallsInRequest,
        maxObjectsInGet: limits.maxObjectsInGet,
        maxObjectsInSet: limits.maxObjectsInSet,
        collationAlgorithms: [],
      },
      [CAP_MAIL]: {},
      [CAP_SUBMISSION]: {},
      [CAP_VACATION]: {},
      ...spamCap,
      // RFC 9661 1.2.1: an empty object in the Session; the limits are per account.
      ...(opts.sieve ? { [CAP_SIEVE]: {} } : {}),
    },
    accounts: {
      [id]: {
        name: account.address,
        isPersonal: true,
        isReadOnly: false,
        accountCapabilities: {
          [CAP_MAIL]: {
            maxMailboxesPerEmail: 1,
            maxMailboxDepth: null,
            maxSizeMailboxName: 255,
            maxSizeAttachmentsPerEmail: limits.maxSizeUpload,
            emailQuerySortOptions: ["receivedAt", "sentAt", "size", "from", "to", "subject", "hasKeyword"],
            mayCreateTopLevelMailbox: true,
          },
          [CAP_SUBMISSION]: { maxDelayedSend: 0, submissionExtensions: {} },
          [CAP_VACATION]: {},
          ...spamCap,
          ...(opts.sieve ? { [CAP_SIEVE]: sieveAccountCapability(opts.sieveLimits) } : {}),
        },
      },
    },
    primaryAccounts: {
      [CAP_MAIL]: id,
      [CAP_SUBMISSION]: id,
      [CAP_VACATION]: id,
      ...(spam ? { [CAP_SPAM]: id } : {}),
      ...(opts.appPasswords ? { [CAP_APP_PASSWORDS]: id } : {}),
      ...(opts.sieve ? { [CAP_SIEVE]: id } : {}),
    },
    username: account.address,
    apiUrl: `${baseUrl}${JMAP_PATHS.api}`,
    downloadUrl: `${baseUrl}${JMAP_PATHS.download}{accountId}/{blobId}/{name}?accept={type}`,
    uploadUrl: `${baseUrl}${JMAP_PATHS.upload}{accountId}/`,
    eventSourceUrl: `${baseUrl}${JMAP_PATHS.eventSource}?types={types}&closeafter={closeafter}&ping={ping}`,
    state: sessionState(account, opts),
  };
}
