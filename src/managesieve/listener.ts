// One ManageSieve listener (RFC 5804: port 4190, tls "starttls"; "none" for a trusted LAN, or
// "implicit"): accepts TCP connections within the connection limits and runs a Session on each.
import { createServer, type Server } from "node:net";
import type { ListenerConfig } from "../config/schema.js";
import type { AppContext, RunningListener } from "../server/context.js";
import { ConnectionLimiter, closeListener, listenOn, normalizeIp, SessionSet } from "../server/sessions.js";
import { Session } from "./session.js";

export async function startManageSieveListener(
  listener: ListenerConfig,
  ctx: AppContext,
): Promise<RunningListener> {
  const cfg = ctx.config.managesieve;
  const log = ctx.log.child({ proto: "managesieve", tls: listener.tls });
  const limiter = new ConnectionLimiter({
    maxTotal: cfg.maxConnections,
    maxPerIp: cfg.maxConnectionsPerIp,
    maxPerUserIp: cfg.maxConnectionsPerUserIp,
    exempt: ctx.config.server.connectionLimitExemptIps,
  });
  const sessions = new SessionSet<Session>();

  const server: Server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    const ip = normalizeIp(socket.remoteAddress ?? "");
    const slot = limiter.admit(ip);
    if (!slot) {
      log.warn("connection refused: limit reached", { ip, active: limiter.active });
      socket.on("error", () => {});
      if (listener.tls === "implicit") socket.destroy();
      else socket.end('BYE (TRYLATER) "too many connections, try again later"\r\n', () => socket.destroy());
      return;
    }
    const session = new Session({ socket, listener, ctx, remoteIp: ip, slot });
    session.log.debug("connected", { tls: listener.tls });
    sessions.add(session);
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
