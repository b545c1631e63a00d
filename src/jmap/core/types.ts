// The shapes of RFC 8620 3.2-3.4 (Invocation, Request, Response) and what a method handler gets.
import type { AppContext } from "../../server/context.js";
import type { Account } from "../../store/types.js";
import type { UploadStore } from "../../store/uploads.js";
import type { JmapLimits } from "../config.js";
import type { MailboxStats } from "../mailbox/object.js";
import type { SubmissionLog } from "../submission/log.js";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** [name, arguments, method call id] (RFC 8620 3.2). */
export type Invocation = [string, JsonObject, string];

export interface JmapRequest {
  using: string[];
  methodCalls: Invocation[];
  createdIds?: Record<string, string>;
}

export interface JmapResponse {
  methodResponses: Invocation[];
  createdIds?: Record<string, string>;
  sessionState: string;
}

/** Everything the JMAP layer needs besides the request: built once per server. */
export interface JmapServices {
  app: AppContext;
  limits: JmapLimits;
  uploads: UploadStore;
  /** Mailbox counts by mailbox id, with the key they were computed for (mailbox/load.ts). */
  mailboxStats: Map<number, { key: string; stats: MailboxStats }>;
  /** Recent EmailSubmissions, kept in memory (submission/log.ts). */
  submissions: SubmissionLog;
}

/** One method call's view: the authenticated account, the request's created ids, services. */
export interface MethodContext {
  services: JmapServices;
  account: Account;
  /** JMAP accountId of the authenticated account (RFC 8620 1.6.2). */
  accountId: string;
  using: ReadonlySet<string>;
  /** Creation id (without "#") → server id, across the whole request (RFC 8620 3.3, 5.3). */
  createdIds: Map<string, string>;
  /** Extra responses a method appends after its own (e.g. the implicit Email/set of
   *  EmailSubmission/set onSuccessUpdateEmail, RFC 8621 7.5). */
  extraResponses: Invocation[];
  callId: string;
}

export type MethodHandler = (args: JsonObject, mc: MethodContext) => Promise<JsonObject>;

export interface MethodDef {
  /** Capability the client must list in "using" for this method (RFC 8620 3.3). */
  capability: string;
  handler: MethodHandler;
}
