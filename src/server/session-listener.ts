// A TCP listener that runs one session per connection within the connection caps: what the SMTP,
// POP3 and ManageSieve listeners share. Each protocol brings its session and the line a refused
// client reads (421, -ERR, BYE); IMAP keeps its own (it counts the bytes of idle connections).

import type { Socket } from "node:net";
import { createServer, type Server } from "node:net";
import type { ListenerConfig } from "../config/schema.js";
import type { Logger } from "../log/logger.js";
import type { MetricEvents } from "../metrics/events.js";
import type { ProxySettings } from "../proxy/accept.js";
import type { WebSessionStore } from "../store/types.js";
import type { AppContext, RunningListener } from "./context.js";
import {
  type ClosableSession,
  ConnectionLimiter,
  type ConnectionSlot,
  closeListener,
  listenOn,
  normalizeIp,
  SessionSet,
} from "./sessions.js";

/** What a session is made of. */
export interface SessionOptions {
  socket: Socket;
  listener: ListenerConfig;
  ctx: AppContext;
  remoteIp: string;
  /** The connection's place in the listener's caps; a login moves it out of the per-IP count. */
  slot: ConnectionSlot;
}

export interface RunnableSession extends ClosableSession {
  readonly log: Logger;
  /** Serves the connection to its end; answers every error itself. */
  run(): Promise<void>;
  /** The account's logins must be checked again now (auth/login-recheck.ts recheckNow): a
   *  session logged in to it checks, and ends if its login no longer stands. */
  loginChanged(accountId: number): void;
}

export interface SessionListenerOptions<S extends RunnableSession> {
  listener: ListenerConfig;
  /** Where changes that end logins are reported (the store's login-change feed). */
  logins: Pick<WebSessionStore, "onLoginChange">;
  /** Counts each connection let in (src/metrics/events.ts). */
  metrics: Pick<MetricEvents, "connection">;
  /** The listener's logger (proto and tls fields). */
  log: Logger;
  limits: ConstructorParameters<typeof ConnectionLimiter>[0];
  /** [proxy]: for a listener with proxyProtocol (server/sessions.ts listenOn). */
  proxy: ProxySettings;
  /** What a client refused for the caps reads on a plaintext port, CRLF included. */
  refusal: string;
  session(conn: { socket: Socket; remoteIp: string; slot: ConnectionSlot }): S;
}

export async function startSessionListener<S extends RunnableSession>(
  opts: SessionListenerOptions<S>,
): Promise<RunningListener> {
  const { listener, log } = opts;
  const limiter = new ConnectionLimiter(opts.limits);
  const sessions = new SessionSet<S>();
  // One listener for the whole listener, not one per connection: a change is rare (an admin's
  // action), the walk over open sessions cheap next to it.
  const stopWatching = opts.logins.onLoginChange((accountId) => {
    for (const s of sessions) s.loginChanged(accountId);
  });

  // allowHalfOpen: a client may pipeline its QUIT (LOGOUT) and close its side; it is still owed
  // the reply.
  const server: Server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    const remoteIp = normalizeIp(socket.remoteAddress ?? "");
    const slot = limiter.admit(remoteIp);
    if (!slot) {
      log.warn("connection refused: limit reached", { ip: remoteIp, active: limiter.active });
      socket.on("error", () => {});
      // On an implicit-TLS port a plaintext reply would be noise: just close.
      if (listener.tls === "implicit") socket.destroy();
      else socket.end(opts.refusal, () => socket.destroy());
      return;
    }
    opts.metrics.connection(listener.protocol);
    const session = opts.session({ socket, remoteIp, slot });
    session.log.debug("connected", { tls: listener.tls });
    sessions.add(session);
    // run() answers every error itself; a throw out of it is a bug, logged, never unhandled.
    void session
      .run()
      .catch((e: unknown) => log.error("session failed", { err: e as Error }))
      .finally(() => {
        sessions.delete(session);
        slot.release();
      });
  });

  const port = await listenOn(server, listener, log, opts.proxy);
  return {
    listener,
    port,
    close: (graceMs: number) => {
      stopWatching();
      return closeListener(server, sessions, graceMs, log);
    },
  };
}
