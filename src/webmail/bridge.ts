// The page calls JMAP (/jmap/api, upload, download, eventsource, the Session resource) with its
// cookie, because it never sees the bearer token. This turns a cookie request into the
// Authorization header the JMAP handler expects, after the checks a cookie needs and a header
// does not: an expired token gets a plain 401 (no Basic challenge, so the browser shows no
// password dialog and the page goes back to its own login), and any state-changing request
// must carry the CSRF token and come from our own origin (csrf.ts).
// GET requests (download, EventSource, Session) change nothing and need no CSRF token; the
// cookie is SameSite=Strict, so a cross-site page cannot make the browser send it anyway.
import type { IncomingMessage, ServerResponse } from "node:http";
import { clearCookie } from "../http/cookies.js";
import { isSafeMethod, sameOriginOrNone } from "./csrf.js";
import { DOWNLOAD_CSP } from "./headers.js";
import { sendJson, WEBMAIL_COOKIE, type WebmailDeps } from "./session.js";

export async function bridgeToJmap(
  req: IncomingMessage,
  res: ServerResponse,
  token: string,
  deps: WebmailDeps,
): Promise<void> {
  // Also ends here when the password changed since login (tokens.ts): a plain 401, no dialog.
  if ((await deps.jmap.tokens.account(token, deps.ctx.store.directory)) === null) {
    sendJson(res, 401, { error: "session-expired" }, { "Set-Cookie": clearCookie(WEBMAIL_COOKIE) });
    return;
  }
  if (!isSafeMethod(req.method) && (!sameOriginOrNone(req) || !deps.csrf.verify(req, token))) {
    sendJson(res, 403, { error: "csrf" });
    return;
  }
  req.headers.authorization = `Bearer ${token}`;
  // Whatever JMAP answers (a downloaded HTML attachment included) is never a live document of
  // our origin: writeHead merges these with the JMAP handler's own headers.
  res.setHeader("Content-Security-Policy", DOWNLOAD_CSP);
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "same-origin");
  await deps.jmap(req, res);
}
