// One IMAP listener (protocol "imap"): tls "starttls" is the port-143 style (STARTTLS offered,
// LOGINDISABLED until then unless allowPlaintextAuth), "implicit" the port-993 style, "none"
// plaintext only. Accepts TCP connections within the connection caps and runs an ImapConnection
// on each, on the plumbing SMTP and POP3 share (server/sessions.ts: listenOn, closeListener,
// ConnectionLimiter; server/tls-upgrade.ts).
//
// Nothing here is a closure made per connection once it is open: each byte an idle connection
// keeps costs memory (bench/imap.ts phase 3), so the connection keeps only what it needs to
// remove itself.
import { createServer, type Socket } from "node:net";
import type { ListenerFactory, RunningListener } from "../server/context.js";
import {
  ConnectionLimiter,
  type ConnectionSlot,
  closeListener,
  listenOn,
  normalizeIp,
  SessionSet,
} from "../server/sessions.js";
import { upgradeToTls } from "../server/tls-upgrade.js";
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
  const connections = new SessionSet<ImapConnection>();
  // Per IP only connections not logged in yet; after login, per (account, IP): see ConnectionLimiter.
  const limiter = new ConnectionLimiter({
    maxTotal: config.maxConnections,
    maxPerIp: config.maxConnectionsPerIp,
    maxPerUserIp: config.maxConnectionsPerUserIp,
    exempt: ctx.config.server.connectionLimitExemptIps,
  });
  let closing = false;

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
    ctx.metrics.connection("imap");
    slots.set(raw, slot);
    raw.once("close", release);
    raw.setNoDelay(true);
    if (listener.tls !== "implicit") {
      open(raw, raw.remoteAddress, slot);
      return;
    }
    // A client that never completes the handshake is dropped at the pre-login timeout; a failed
    // handshake closes the socket, which releases the slot.
    const remote = raw.remoteAddress;
    upgradeToTls(raw, ctx.tls.context(), config.preAuthTimeoutSec * 1000).then(
      (secure) => open(secure, remote, slot),
      (e: unknown) => log.info("TLS handshake failed", { ip, error: String(e) }),
    );
  });

  const port = await listenOn(server, listener, log, ctx.config.proxy);
  // Autologout: one sweep over the connections instead of a timer each (an idle client's timer
  // and its closure cost ~250 bytes); a deadline is noticed at most SWEEP_MS late.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const c of connections) c.checkTimeout(now);
  }, SWEEP_MS);
  sweep.unref();
  // A disable, a password change or a revoked app password ends that account's connections at
  // once (auth/login-recheck.ts recheckNow): one listener here, not a closure per connection.
  const stopWatching = ctx.store.webSessions.onLoginChange((accountId) => {
    for (const c of connections) c.loginChanged(accountId);
  });

  const running: RunningListener = {
    listener,
    port,
    close(graceMs) {
      closing = true;
      clearInterval(sweep);
      stopWatching();
      return closeListener(server, connections, graceMs, log);
    },
  };
  return running;
};
