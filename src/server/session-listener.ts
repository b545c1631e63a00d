// A TCP listener that runs one session per connection within the connection caps: what the SMTP,
// POP3 and ManageSieve listeners share. Each protocol brings its session and the line a refused
// client reads (421, -ERR, BYE); IMAP keeps its own (it counts the bytes of idle connections).
import type { Socket } from "node:net";
import { createServer, type Server } from "node:net";
import type { ListenerConfig } from "../config/schema.js";
import type { Logger } from "../log/logger.js";
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
}

export interface SessionListenerOptions<S extends RunnableSession> {
  listener: ListenerConfig;
  /** The listener's logger (proto and tls fields). */
  log: Logger;
  limits: ConstructorParameters<typeof ConnectionLimiter>[0];
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

  const port = await listenOn(server, listener, log);
  return { listener, port, close: (graceMs: number) => closeListener(server, sessions, graceMs, log) };
}
