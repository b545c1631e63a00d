// One SMTP listener (inbound MX or submission, with tls none / starttls / implicit): accepts
// TCP connections, applies the connection limits and runs a Session on each.
import { createServer, type Server } from "node:net";
import type { ListenerConfig } from "../config/schema.js";
import type { AppContext, RunningListener } from "../server/context.js";
import { ConnectionLimiter } from "./limiter.js";
import { replies } from "./replies.js";
import { Session } from "./session.js";
import { formatReply } from "./wire/reply.js";

export async function startSmtpListener(listener: ListenerConfig, ctx: AppContext): Promise<RunningListener> {
  const cfg = ctx.config.smtp;
  const log = ctx.log.child({ proto: listener.protocol, tls: listener.tls });
  const limiter = new ConnectionLimiter(cfg.maxConnections, cfg.maxConnectionsPerIp);
  const sessions = new Map<Session, Promise<void>>();

  // allowHalfOpen: a client may pipeline "QUIT" and close its side; we still owe it replies.
  const server: Server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    const ip = normalizeIp(socket.remoteAddress ?? "");
    if (!limiter.acquire(ip)) {
      log.warn("connection refused: limit reached", { ip, active: limiter.active });
      socket.on("error", () => {});
      // On an implicit-TLS port a plaintext reply would be noise: just close.
      if (listener.tls === "implicit") socket.destroy();
      else socket.end(formatReply(replies.tooManyConnections()), () => socket.destroy());
      return;
    }
    const session = new Session({ socket, listener, ctx, remoteIp: ip });
    session.log.debug("connected");
    const done = session.run().finally(() => {
      sessions.delete(session);
      limiter.release(ip);
    });
    sessions.set(session, done);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listener.port, listener.address, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (e) => log.error("listener error", { err: e }));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : listener.port;

  return {
    listener,
    port,
    async close(graceMs: number) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sessions.keys()) s.shutdown();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.all(sessions.values()), grace]);
      clearTimeout(timer);
      for (const s of sessions.keys()) s.abort();
      // A session stuck in a store call must not hold shutdown forever.
      const stuck = await Promise.race([
        Promise.all(sessions.values()).then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 2000).unref()),
      ]);
      if (stuck) log.warn("sessions still busy after shutdown grace", { count: sessions.size });
      await closed;
    },
  };
}

/** "::ffff:127.0.0.1" is an IPv4 client on a dual-stack socket. */
function normalizeIp(ip: string): string {
  return ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip;
}
