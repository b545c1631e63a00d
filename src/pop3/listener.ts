// One POP3 listener (tls "none", "starttls" = port 110 with STLS, "implicit" = port 995):
// accepts TCP connections within the connection limits and runs a Session on each.
import { createServer, type Server } from "node:net";
import type { ListenerConfig } from "../config/schema.js";
import type { AppContext, RunningListener } from "../server/context.js";
import { ConnectionLimiter, closeListener, listenOn, normalizeIp, SessionSet } from "../server/sessions.js";
import { Session } from "./session.js";

export async function startPop3Listener(listener: ListenerConfig, ctx: AppContext): Promise<RunningListener> {
  const cfg = ctx.config.pop3;
  const log = ctx.log.child({ proto: "pop3", tls: listener.tls });
  // Per IP only sessions not logged in yet; no per-account cap: the maildrop lock allows one.
  const limiter = new ConnectionLimiter({
    maxTotal: cfg.maxConnections,
    maxPerIp: cfg.maxConnectionsPerIp,
    exempt: ctx.config.server.connectionLimitExemptIps,
  });
  const sessions = new SessionSet<Session>();

  // allowHalfOpen: a client may pipeline "QUIT" and close its side; it is still owed the reply.
  const server: Server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    const ip = normalizeIp(socket.remoteAddress ?? "");
    const slot = limiter.admit(ip);
    if (!slot) {
      log.warn("connection refused: limit reached", { ip, active: limiter.active });
      socket.on("error", () => {});
      // On an implicit-TLS port a plaintext reply would be noise: just close.
      if (listener.tls === "implicit") socket.destroy();
      else socket.end("-ERR [SYS/TEMP] too many connections, try again later\r\n", () => socket.destroy());
      return;
    }
    const session = new Session({ socket, listener, ctx, remoteIp: ip, slot });
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

  return {
    listener,
    port,
    close: (graceMs: number) => closeListener(server, sessions, graceMs, log),
  };
}
