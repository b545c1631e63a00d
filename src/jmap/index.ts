// The JMAP layer's entry points, independent of HTTP: services per AppContext, and one request.
import type { AppContext } from "../server/context.js";
import { accountIdOf } from "./core/ids.js";
import { parseRequest, runRequest } from "./core/request.js";
import type { JmapResponse, JmapServices } from "./core/types.js";
import { METHODS } from "./methods.js";
import { capabilities, sessionState } from "./session.js";
import { SubmissionLog } from "./submission/log.js";

const servicesByCtx = new WeakMap<AppContext, JmapServices>();

/** The JMAP services of one server (limits, uploads, caches, recent submissions), created on
 *  first use. Uploads are ctx.uploads (in this process, or Redis shared by the nodes: a restart
 *  of what holds them drops them, clients upload again); recent submissions live in this
 *  process (after a restart, or on another node, EmailSubmission/changes answers
 *  cannotCalculateChanges). */
export function jmapServices(ctx: AppContext): JmapServices {
  let s = servicesByCtx.get(ctx);
  if (!s) {
    const limits = ctx.config.jmap;
    s = {
      app: ctx,
      limits,
      uploads: ctx.uploads,
      mailboxStats: new Map(),
      submissions: new SubmissionLog(limits.submissionsKept),
    };
    servicesByCtx.set(ctx, s);
  }
  return s;
}

/** RFC 8620 3: runs one API request (already JSON-decoded) for an authenticated account.
 *  Throws JmapRequestError for request-level errors (3.6.1). */
export async function handleJmapRequest(
  ctx: AppContext,
  accountId: number,
  request: unknown,
  opts: { appPasswordLogin?: boolean } = {},
): Promise<JmapResponse> {
  const services = jmapServices(ctx);
  // opts.appPasswordLogin: authenticated with an app password, which may not manage app passwords.
  const ext = {
    spam: ctx.config.spam.enabled,
    appPasswords: opts.appPasswordLogin !== true,
    sieve: ctx.config.sieve.enabled,
  };
  const req = parseRequest(request, capabilities(ext), services.limits.maxCallsInRequest);
  const account = await ctx.store.directory.getAccount(accountId);
  return runRequest(req, {
    services,
    methods: METHODS,
    accountId,
    jmapAccountId: accountIdOf(accountId),
    sessionState: account ? sessionState(account, ext) : "",
  });
}

export { JmapRequestError } from "./core/errors.js";
export type { JmapResponse } from "./core/types.js";
export { buildSession } from "./session.js";
