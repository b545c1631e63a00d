// One SMTP listener (inbound MX or submission, with tls none / starttls / implicit): accepts
// TCP connections, applies the connection limits and runs a Session on each.
import { createServer, type Server } from "node:net";
import type { ListenerConfig } from "../config/schema.js";
import type { AppContext, RunningListener } from "../server/context.js";
import { ConnectionLimiter, closeListener, listenOn, normalizeIp, SessionSet } from "../server/sessions.js";
import { replies } from "./replies.js";
import { Session } from "./session.js";
import { formatReply } from "./wire/reply.js";

export async function startSmtpListener(listener: ListenerConfig, ctx: AppContext): Promise<RunningListener> {
  const cfg = ctx.config.smtp;
  const log = ctx.log.child({ proto: listener.protocol, tls: listener.tls });
  // Per IP only connections not authenticated yet (all of them on port 25, where nobody logs in);
  // after AUTH, per account and IP.
  const limiter = new ConnectionLimiter({
    maxTotal: cfg.maxConnections,
    maxPerIp: cfg.maxConnectionsPerIp,
    maxPerUserIp: cfg.maxConnectionsPerUserIp,
    exempt: ctx.config.server.connectionLimitExemptIps,
  });
  const sessions = new SessionSet<Session>();

  // allowHalfOpen: a client may pipeline "QUIT" and close its side; we still owe it replies.
  const server: Server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    const ip = normalizeIp(socket.remoteAddress ?? "");
    const slot = limiter.admit(ip);
    if (!slot) {
      log.warn("connection refused: limit reached", { ip, active: limiter.active });
      socket.on("error", () => {});
      // On an implicit-TLS port a plaintext reply would be noise: just close.
      if (listener.tls === "implicit") socket.destroy();
      else socket.end(formatReply(replies.tooManyConnections()), () => socket.destroy());
      return;
    }
    const session = new Session({ socket, listener, ctx, remoteIp: ip, slot });
    session.log.debug("connected");
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
