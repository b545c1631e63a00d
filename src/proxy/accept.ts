// The PROXY protocol on a listener (proxyProtocol = true): before any protocol sees a
// connection, its peer must be one of [proxy] trustedSources and must send a whole PROXY header
// within headerTimeoutMs; the header's client address then replaces the socket's. Nothing is
// written to the connection before that (the greeting would reach the balancer, not the client),
// and a connection that fails any of it is closed with a log line.
//
// One place for every TCP listener: listenOn (server/sessions.ts) calls guardConnections on
// the server it is about to bind, which moves the server's 'connection' listeners (the
// protocol's accept handler; node:http's and node:tls's own) behind the header. On an HTTPS
// listener the header therefore comes before the TLS handshake, as the balancer sends it.
import type { Server, Socket } from "node:net";
import type { Logger } from "../log/logger.js";
import { adoptAddresses } from "./peer.js";
import { readProxyHeader } from "./reader.js";
import { plainIp, TrustedSources } from "./trusted.js";

export interface ProxySettings {
  trustedSources: readonly string[];
  headerTimeoutMs: number;
  maxV2Bytes: number;
}

/** Makes `server` read a PROXY header on each connection before its 'connection' listeners run.
 *  Call after every 'connection' listener is added and before the server listens. */
export function guardConnections(server: Server, settings: ProxySettings, log: Logger): void {
  const trusted = new TrustedSources(settings.trustedSources);
  const handlers = server.listeners("connection") as ((socket: Socket) => void)[];
  server.removeAllListeners("connection");
  server.on("connection", (socket: Socket) => {
    socket.on("error", ignore);
    // A peer that closed or reset before this handler ran has no address any more: nothing to
    // read, and not an untrusted source (a load balancer's health probe often looks like this).
    if (socket.remoteAddress === undefined) {
      socket.destroy();
      return;
    }
    const peer = plainIp(socket.remoteAddress);
    if (!trusted.has(peer)) {
      log.warn("PROXY protocol: connection from an untrusted source closed", { ip: peer });
      socket.destroy();
      return;
    }
    readProxyHeader(socket, settings).then(
      (header) => {
        if (socket.destroyed) return;
        socket.off("error", ignore);
        if (header.command === "proxy") adoptAddresses(socket, header.source, header.destination);
        for (const h of handlers) h.call(server, socket);
      },
      (e: unknown) => {
        log.warn("PROXY protocol: connection closed", { ip: peer, reason: (e as Error).message });
        socket.destroy();
      },
    );
  });
}

function ignore(): void {}
