// The Session resource (RFC 8620 2): capabilities with their limits, the one account of the
// authenticated user, and the URL templates of the API, upload, download and push endpoints.
import type { Account } from "../store/types.js";
import type { JmapLimits } from "./config.js";
import { accountIdOf, CAP_CORE, CAP_MAIL, CAP_SUBMISSION, CAP_VACATION } from "./core/ids.js";
import type { JsonObject } from "./core/types.js";

export const JMAP_PATHS = {
  session: "/.well-known/jmap",
  api: "/jmap/api",
  upload: "/jmap/upload/",
  download: "/jmap/download/",
  eventSource: "/jmap/eventsource",
} as const;

export const CAPABILITIES = new Set([CAP_CORE, CAP_MAIL, CAP_SUBMISSION, CAP_VACATION]);

/** Changes whenever what the Session object says changes (RFC 8620 2: state); the suffix is
 *  bumped when the capabilities change (-2: vacationresponse). */
export function sessionState(account: Account): string {
  return `s${account.id}-2`;
}

export function buildSession(account: Account, limits: JmapLimits, baseUrl: string): JsonObject {
  const id = accountIdOf(account.id);
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
        },
      },
    },
    primaryAccounts: { [CAP_MAIL]: id, [CAP_SUBMISSION]: id, [CAP_VACATION]: id },
    username: account.address,
    apiUrl: `${baseUrl}${JMAP_PATHS.api}`,
    downloadUrl: `${baseUrl}${JMAP_PATHS.download}{accountId}/{blobId}/{name}?accept={type}`,
    uploadUrl: `${baseUrl}${JMAP_PATHS.upload}{accountId}/`,
    eventSourceUrl: `${baseUrl}${JMAP_PATHS.eventSource}?types={types}&closeafter={closeafter}&ping={ping}`,
    state: sessionState(account),
  };
}
