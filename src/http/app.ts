// One HttpApp per running server (shared by its HTTP and HTTPS listeners, so a session made on
// one is valid on the other): the route table, the session store, and the AppContext.
// Each feature registers its routes here; the webmail and JMAP add one line each.

import type { IncomingMessage, ServerResponse } from "node:http";
import { registerAdminRoutes } from "../admin/routes.js";
import { registerAutoconfigRoutes } from "../autoconfig/routes.js";
import { createJmapHttpHandler } from "../jmap/http/handler.js";
import type { AppContext } from "../server/context.js";
import { createWebmailHandler } from "../webmail/handler.js";
import { PerClientConnections } from "./connection-cap.js";
import { registerLoginRoutes } from "./login.js";
import { registerMtaStsRoutes } from "./mta-sts.js";
import { Router } from "./router.js";
import { createMemorySessionStore, type SessionStore } from "./session.js";
import { registerStaticRoutes } from "./static.js";

/** A handler that owns whole paths and writes the response itself (JMAP's streams EventSource
 *  and authenticates by Basic/Bearer rather than by session cookie): true when it answered. */
export type RawHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface HttpApp {
  ctx: AppContext;
  router: Router;
  /** Tried in order before the router. */
  raw: RawHandler[];
  sessions: SessionStore;
  /** Open connections per client, across this server's HTTP and HTTPS listeners. */
  connections: PerClientConnections;
  /** Port plain-HTTP requests are redirected to: http.httpsPort, else a running HTTPS listener's. */
  httpsPort(): number | null;
  noteHttpsPort(port: number): void;
}

export function createHttpApp(ctx: AppContext): HttpApp {
  const cfg = ctx.config.http;
  const sessions = createMemorySessionStore({
    idleMs: cfg.sessionIdleMinutes * 60_000,
    maxAgeMs: cfg.sessionMaxHours * 3_600_000,
    maxSessions: cfg.maxSessions,
  });
  let boundHttps: number | null = null;
  const app: HttpApp = {
    ctx,
    router: new Router(),
    raw: webAndJmap(ctx),
    sessions,
    connections: new PerClientConnections({
      maxPerClient: cfg.maxConnectionsPerIp,
      exempt: ctx.config.server.connectionLimitExemptIps,
    }),
    httpsPort: () => (cfg.httpsPort > 0 ? cfg.httpsPort : boundHttps),
    noteHttpsPort: (port) => {
      boundHttps ??= port;
    },
  };
  registerStaticRoutes(app.router);
  registerLoginRoutes(app.router);
  registerAutoconfigRoutes(app.router);
  registerMtaStsRoutes(app.router);
  registerAdminRoutes(app.router);
  return app;
}

/** The webmail first (it owns `/` and bridges its cookie to JMAP), then JMAP itself. */
function webAndJmap(ctx: AppContext): RawHandler[] {
  const jmap = createJmapHttpHandler(ctx);
  return [createWebmailHandler(ctx, { jmap }), jmap];
}

const apps = new WeakMap<AppContext, HttpApp>();

/** The HttpApp of this server, made by the first HTTP listener that starts. */
export function httpAppFor(ctx: AppContext): HttpApp {
  let app = apps.get(ctx);
  if (!app) {
    app = createHttpApp(ctx);
    apps.set(ctx, app);
  }
  return app;
}
