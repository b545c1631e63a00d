// Which routes the HTTP(S) listeners serve. src/http is a library (listener, router, sessions,
// CSRF, security headers) that knows no feature; this file is where the features are put on it:
// each registers its routes on the router given here, so src/http never imports them back.
import { registerAcmeRoutes } from "../acme/routes.js";
import { registerAdminRoutes } from "../admin/routes.js";
import { registerAutoconfigRoutes } from "../autoconfig/routes.js";
import { createHttpApp, type HttpApp } from "../http/app.js";
import { setCookie } from "../http/cookies.js";
import { registerLoginRoutes } from "../http/login.js";
import { registerMtaStsRoutes } from "../http/mta-sts.js";
import { registerStaticRoutes } from "../http/static.js";
import { createJmapHttpHandler } from "../jmap/http/handler.js";
import { registerMetricsRoutes } from "../metrics/routes.js";
import { registerOidcLoginRoutes } from "../oauth/web-login.js";
import type { AppContext } from "../server/context.js";
import { createWebmailHandler } from "../webmail/handler.js";
import { WEBMAIL_COOKIE } from "../webmail/session.js";

function createWebApp(ctx: AppContext): HttpApp {
  const app = createHttpApp(ctx);
  registerStaticRoutes(app.router);
  registerLoginRoutes(app.router);
  registerAutoconfigRoutes(app.router);
  registerMtaStsRoutes(app.router);
  // ACME HTTP-01 answers (plain HTTP too, before the redirect to HTTPS).
  registerAcmeRoutes(app.router);
  registerAdminRoutes(app.router);
  registerMetricsRoutes(app.router, ctx);
  // Raw handlers write their own responses (JMAP streams EventSource and authenticates by
  // Basic/Bearer, not by session cookie). The webmail first: it owns `/` and bridges its
  // cookie to JMAP.
  const jmap = createJmapHttpHandler(ctx);
  // OpenID Connect login (src/oauth/web-login.ts); for the webmail it ends with the webmail's
  // token cookie, as its password login does (src/webmail/session.ts).
  registerOidcLoginRoutes(app.router, {
    webmailLogin: async (account, ip) => [
      setCookie(WEBMAIL_COOKIE, await jmap.tokens.issue(account, ip), ctx.config.jmap.tokenTtlSec),
    ],
  });
  app.raw.push(createWebmailHandler(ctx, { jmap }), jmap);
  return app;
}

const apps = new WeakMap<AppContext, HttpApp>();

/** The HttpApp of this server, made by the first HTTP listener that starts and shared by all its
 *  HTTP and HTTPS listeners (so a session made on one is valid on the other). */
export function webAppFor(ctx: AppContext): HttpApp {
  let app = apps.get(ctx);
  if (!app) {
    app = createWebApp(ctx);
    apps.set(ctx, app);
  }
  return app;
}
