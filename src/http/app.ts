// One HttpApp per running server (shared by its HTTP and HTTPS listeners, so a session made on
// one is valid on the other): the route table, the session store, the connection cap and the
// AppContext. It starts empty: the composition root (src/app/web.ts) registers the features'
// routes and raw handlers on it, so this library imports no feature.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { AppContext } from "../server/context.js";
import { PerClientConnections } from "./connection-cap.js";
import { Router } from "./router.js";
import { createSessionStore, type SessionStore } from "./session.js";

/** A handler that owns whole paths and writes the response itself (JMAP's streams EventSource
 *  and authenticates by Basic/Bearer rather than by session cookie): true when it answered. */
export type RawHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface HttpApp {
  ctx: AppContext;
  router: Router;
  /** Tried in order before the router (on HTTPS only). */
  raw: RawHandler[];
  sessions: SessionStore;
  /** Open connections per client, across this server's HTTP and HTTPS listeners. */
  connections: PerClientConnections;
  /** Port plain-HTTP requests are redirected to: http.httpsPort, else a running HTTPS listener's. */
  httpsPort(): number | null;
  noteHttpsPort(port: number): void;
}

/** An app with no routes yet. */
export function createHttpApp(ctx: AppContext): HttpApp {
  const cfg = ctx.config.http;
  const sessions = createSessionStore(ctx.store.webSessions, {
    idleMs: cfg.sessionIdleMinutes * 60_000,
    maxAgeMs: cfg.sessionMaxHours * 3_600_000,
    maxSessions: cfg.maxSessions,
    maxPerAccount: cfg.maxSessionsPerAccount,
  });
  let boundHttps: number | null = null;
  return {
    ctx,
    router: new Router(),
    raw: [],
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
}
