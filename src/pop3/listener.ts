// One POP3 listener (tls "none", "starttls" = port 110 with STLS, "implicit" = port 995):
// accepts TCP connections within the connection limits and runs a Session on each.
import { createServer, type Server } from "node:net";
import type { ListenerConfig } from "../config/schema.js";
import type { AppContext, RunningListener } from "../server/context.js";
import { Session } from "./session.js";

export async function startPop3Listener(listener: ListenerConfig, ctx: AppContext): Promise<RunningListener> {
  const cfg = ctx.config.pop3;
  const log = ctx.log.child({ proto: "pop3", tls: listener.tls });
  const perIp = new Map<string, number>();
  const sessions = new Map<Session, Promise<void>>();

  // allowHalfOpen: a client may pipeline "QUIT" and close its side; it is still owed the reply.
  const server: Server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    const ip = normalizeIp(socket.remoteAddress ?? "");
    const fromIp = perIp.get(ip) ?? 0;
    if (sessions.size >= cfg.maxConnections || fromIp >= cfg.maxConnectionsPerIp) {
      log.warn("connection refused: limit reached", { ip, active: sessions.size });
      socket.on("error", () => {});
      // On an implicit-TLS port a plaintext reply would be noise: just close.
      if (listener.tls === "implicit") socket.destroy();
      else socket.end("-ERR [SYS/TEMP] too many connections, try again later\r\n", () => socket.destroy());
      return;
    }
    perIp.set(ip, fromIp + 1);
    const session = new Session({ socket, listener, ctx, remoteIp: ip });
    session.log.debug("connected", { tls: listener.tls });
    const done = session.run().finally(() => {
      sessions.delete(session);
      const left = (perIp.get(ip) ?? 1) - 1;
      if (left <= 0) perIp.delete(ip);
      else perIp.set(ip, left);
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
      await Promise.all(sessions.values());
      await closed;
    },
  };
}

/** "::ffff:127.0.0.1" is an IPv4 client on a dual-stack socket. */
function normalizeIp(ip: string): string {
  return ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip;
}
