// The request pipeline, the same for every route: match → HTTPS-only unless the route is a public
// document → session → access (401/redirect to login, 403 for non-admins and for domain
// administrators outside "domain-admin" routes) → CSRF on POST →
// handler. Handlers therefore never check login, role or tokens themselves.
import { credentialStamp } from "../auth/credential.js";
import { adminScopeOf } from "./admin-scope.js";
import type { HttpApp } from "./app.js";
import { CSRF_FIELD, checkCsrf, checkOrigin, LOGIN_CSRF_COOKIE, tokensEqual } from "./csrf.js";
import { errorResponse } from "./errors.js";
import type { HttpRequest } from "./request.js";
import { HttpError, type HttpResponse, redirect } from "./response.js";
import type { AuthedContext, RequestContext } from "./router.js";
import { SESSION_COOKIE } from "./session.js";

export async function dispatch(app: HttpApp, req: HttpRequest): Promise<HttpResponse> {
  try {
    return await route(app, req);
  } catch (e) {
    return errorResponse(e, app.ctx.log);
  }
}

async function route(app: HttpApp, req: HttpRequest): Promise<HttpResponse> {
  const m = app.router.match(req.method, req.path);
  if (m.kind === "none") throw new HttpError(404, "Not found.");
  if (m.kind === "wrong-method")
    throw new HttpError(405, "Method not allowed.", { Allow: m.allowed.join(", ") });
  const { route, params } = m;
  if (!req.secure && !route.plainHttp) return toHttps(app, req);

  const rc: RequestContext = { req, params, app, ...(await currentSession(app, req)) };
  if (route.access === "public") {
    if (req.method === "POST" && route.csrf !== "none") checkLoginCsrf(req);
    return route.handler(rc);
  }
  if (!rc.session || !rc.account) {
    if (req.method === "GET") return redirect(`/login?next=${encodeURIComponent(req.path)}`);
    throw new HttpError(401, "Please log in.");
  }
  if (route.access === "user") {
    if (req.method === "POST") checkCsrf(req, rc.session.csrfToken);
    return route.handler(rc as AuthedContext);
  }
  // Admin routes: a global admin everywhere; a domain administrator only on "domain-admin" routes,
  // whose handlers keep to its domains (admin-scope.ts).
  const adminScope = await adminScopeOf(app.ctx.store.directory, rc.account);
  if (!adminScope || (route.access === "admin" && adminScope.kind !== "global")) {
    app.ctx.log.warn("admin page refused", { user: rc.account.address, path: req.path, ip: req.ip });
    throw new HttpError(403, "This page is for administrators.");
  }
  if (req.method === "POST") checkCsrf(req, rc.session.csrfToken);
  return route.handler({ ...(rc as AuthedContext), adminScope });
}

/** The session of the request's cookie, if live and its account still exists, is enabled and has
 *  the password it had at login (a reset anywhere, even by another process, ends the session). */
async function currentSession(
  app: HttpApp,
  req: HttpRequest,
): Promise<Pick<RequestContext, "session" | "account">> {
  const token = req.cookies.get(SESSION_COOKIE);
  const session = token && req.secure ? await app.sessions.get(token) : null;
  if (!token || !session) return { session: null, account: null };
  const account = await app.ctx.store.directory.getAccount(session.accountId);
  if (!account || account.disabled || credentialStamp(account.passwordHash) !== session.credentialStamp) {
    await app.sessions.destroy(token);
    return { session: null, account: null };
  }
  return { session, account };
}

/** The login form has no session yet: its token is double-submitted (cookie + field). */
function checkLoginCsrf(req: HttpRequest): void {
  checkOrigin(req);
  if (!tokensEqual(req.cookies.get(LOGIN_CSRF_COOKIE), req.form().get(CSRF_FIELD)))
    throw new HttpError(403, "Missing or invalid form token. Reload the page and try again.");
}

/** Pages with logins are HTTPS only (RFC 8314's spirit for the web side): redirect there. */
function toHttps(app: HttpApp, req: HttpRequest): HttpResponse {
  const port = app.httpsPort();
  if (port === null) throw new HttpError(403, "This page is only served over HTTPS.");
  const host = req.host.includes(":") && !req.host.startsWith("[") ? `[${req.host}]` : req.host;
  const query = req.query.toString();
  const target = `https://${host}${port === 443 ? "" : `:${port}`}${req.path}${query ? `?${query}` : ""}`;
  // 308 keeps a POST a POST; GETs get the usual permanent redirect.
  return redirect(target, req.method === "GET" || req.method === "HEAD" ? 301 : 308);
}
