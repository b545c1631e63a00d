// IMAP4 server (RFC 9051, RFC 3501) for Yubin: `startImapListener` is the ListenerFactory for the
// "imap" protocol. tls "starttls" is the port-143 style (STARTTLS offered, LOGINDISABLED until
// then unless allowPlaintextAuth), "implicit" the port-993 style, "none" plaintext only.
import { createServer, type Socket } from "node:net";
import { TLSSocket } from "node:tls";
import type { ListenerFactory, RunningListener } from "../server/context.js";
import { ConnectionLimiter, type ConnectionSlot, normalizeIp } from "../server/sessions.js";
import { ConnectionLogger } from "./conn-log.js";
import { ImapConnection } from "./session.js";


let connectionIds = 0;
const SWEEP_MS = 250;
/** Each accepted socket's slot in the caps, for the shared close listener below. */
const slots = new WeakMap<Socket, ConnectionSlot>();

/** One function for every socket (no closure per connection: idle connections are many). */
function release(this: Socket): void {
  slots.get(this)?.release();
}

export const startImapListener: ListenerFactory = async (listener, ctx) => {
  const config = ctx.config.imap;
  const log = ctx.log.child({ proto: "imap" });
  const connections = new Set<ImapConnection>();
  // Per IP only connections not logged in yet; after login, per (account, IP): see ConnectionLimiter.
  const limiter = new ConnectionLimiter({
    maxTotal: config.maxConnections,
    maxPerIp: config.maxConnectionsPerIp,
    maxPerUserIp: config.maxConnectionsPerUserIp,
    exempt: ctx.config.server.connectionLimitExemptIps,
  });
  let closing = false;

  // Nothing here is a closure made per connection: each one an idle connection keeps costs memory
  // (bench/imap.ts phase 3), so the connection keeps only what it needs to remove itself.
  const open = (socket: Socket, ip: string | undefined, slot: ConnectionSlot) => {
    const connLog = new ConnectionLogger(log, ++connectionIds, ip);
    const c = new ImapConnection(socket, listener, ctx, config, connLog, connections, slot);
    connections.add(c);
    c.start();
  };

  const server = createServer((raw: Socket) => {
    const ip = normalizeIp(raw.remoteAddress ?? "");
    const slot = closing ? null : limiter.admit(ip);
    if (!slot) {
      if (!closing) log.warn("connection refused: limit reached", { ip, active: limiter.active });
      raw.on("error", () => {});
      // On an implicit-TLS port a plaintext reply would be noise: just close.
      if (listener.tls === "implicit") raw.destroy();
      else raw.end("* BYE [UNAVAILABLE] Too many connections, try again later\r\n", () => raw.destroy());
      return;
    }
    slots.set(raw, slot);
    raw.once("close", release);
    raw.setNoDelay(true);
    if (listener.tls !== "implicit") {
      open(raw, raw.remoteAddress, slot);
      return;
    }
    const secure = new TLSSocket(raw, { isServer: true, secureContext: ctx.tls.context() });
    // A client that never completes the handshake is dropped at the pre-login timeout.
    const timer = setTimeout(() => secure.destroy(), config.preAuthTimeoutSec * 1000);
    secure.once("secure", () => {
      clearTimeout(timer);
      open(secure, raw.remoteAddress, slot);
    });
    secure.on("error", () => secure.destroy());
    secure.once("close", () => clearTimeout(timer));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listener.port, listener.address, () => {
      server.off("error", reject);
      resolve();
    });
  });
  // Autologout: one sweep over the connections instead of a timer each (an idle client's timer
  // and its closure cost ~250 bytes); a deadline is noticed at most SWEEP_MS late.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const c of connections) c.checkTimeout(now);
  }, SWEEP_MS);
  sweep.unref();

  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : listener.port;

  const running: RunningListener = {
    listener,
    port,
    async close(graceMs) {
      closing = true;
      clearInterval(sweep);
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const c of connections) if (!c.busy) c.shutdown();
      const deadline = Date.now() + graceMs;
      while (connections.size > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        for (const c of connections) if (!c.busy) c.shutdown();
      }
      for (const c of connections) c.destroy();
      await stopped;
    },
  };
  return running;
};
