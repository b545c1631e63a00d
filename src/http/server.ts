// The HTTP(S) listener: node:http / node:https with our router (no framework). tls "implicit" is
// HTTPS with the same certificate as the mail protocols (reloaded on SIGHUP); tls "none" is plain
// HTTP, which serves only public documents (autoconfig) and redirects everything else to HTTPS.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerOptions,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { Socket } from "node:net";
import type { ListenerConfig } from "../config/schema.js";
import { clientAddress } from "../proxy/peer.js";
import type { AppContext, ListenerFactory, RunningListener } from "../server/context.js";
import { listenOn } from "../server/sessions.js";
import { tlsPolicy } from "../server/tls.js";
import type { HttpApp } from "./app.js";
import { dispatch } from "./dispatch.js";
import { errorResponse } from "./errors.js";
import { buildRequest, readBody } from "./request.js";
import { HttpError, type HttpResponse } from "./response.js";
import { hstsHeader, securityHeaders } from "./security-headers.js";

/** The `http` ListenerFactory, serving the HttpApp that `appFor` gives for the server's context
 *  (the composition root, src/app/web.ts, gives the same one to every HTTP and HTTPS listener of
 *  one server). */
export function httpListenerFactory(appFor: (ctx: AppContext) => HttpApp): ListenerFactory {
  return (listener, ctx) => startHttpListener(listener, appFor(ctx));
}

async function startHttpListener(listener: ListenerConfig, app: HttpApp): Promise<RunningListener> {
  if (listener.tls === "starttls")
    throw new Error(`http listener ${listener.address}:${listener.port}: tls must be "none" or "implicit"`);
  const ctx = app.ctx;
  const secure = listener.tls === "implicit";
  const cfg = ctx.config.http;
  const log = ctx.log.child({ proto: "http", port: listener.port });
  const onRequest = (msg: IncomingMessage, res: ServerResponse) => serveRequest({ app, msg, res, secure });
  const headersMs = Math.min(cfg.headersTimeoutSec, cfg.requestTimeoutSec) * 1000;
  const common = {
    maxHeaderSize: cfg.maxHeaderBytes,
    requestTimeout: cfg.requestTimeoutSec * 1000,
    headersTimeout: headersMs,
    // Node checks both timeouts only this often (default 30 s, which would triple a 10 s limit).
    connectionsCheckingInterval: Math.max(250, Math.min(5000, headersMs / 4)),
    keepAliveTimeout: cfg.keepAliveTimeoutSec * 1000,
  };
  const server = secure
    ? httpsServer(ctx, { ...common, handshakeTimeout: headersMs }, onRequest)
    : createHttpServer(common, onRequest);
  server.maxConnections = cfg.maxConnections;
  // Per client, before TLS and before any byte is parsed: over the cap, closed at once.
  server.on("connection", (socket: Socket) => {
    if (!app.connections.admit(socket)) socket.destroy();
    else ctx.metrics.connection("http");
  });
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    // A failed or timed-out TLS handshake (https emits those here too) has no channel to answer
    // on: end() would wait for the handshake that never comes and keep the socket.
    const code = err.code ?? "";
    if (code.startsWith("ERR_TLS_") || code.startsWith("ERR_SSL_") || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = code === "ERR_HTTP_REQUEST_TIMEOUT" ? "408 Request Timeout" : "400 Bad Request";
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
  });
  const port = await listenOn(server, listener, log, ctx.config.proxy);
  if (secure) app.noteHttpsPort(port);

  return {
    listener,
    port,
    async close(graceMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}

function httpsServer(
  ctx: AppContext,
  common: ServerOptions & { handshakeTimeout: number },
  onRequest: (msg: IncomingMessage, res: ServerResponse) => void,
): HttpsServer {
  let pem = ctx.tls.pem();
  const server = createHttpsServer(
    {
      ...common,
      cert: pem.cert,
      key: pem.key,
      ...tlsPolicy(ctx.tls.minVersion),
      // With SNI the current (possibly reloaded) context is used for each handshake; a name with a
      // pending TLS-ALPN-01 validation (RFC 8737) gets its validation certificate.
      SNICallback: (name, cb) => cb(null, ctx.tls.sniContext(name)),
      // HTTP/1.1 as Node's default, plus acme-tls/1 for those validations.
      ALPNCallback: ({ servername, protocols }) => ctx.tls.alpnSelect(servername ?? "", protocols),
    },
    onRequest,
  );
  // Clients without SNI (by IP address) get the default context: keep it current too.
  server.on("connection", () => {
    const now = ctx.tls.pem();
    if (now !== pem) {
      pem = now;
      server.setSecureContext({ cert: pem.cert, key: pem.key, ...tlsPolicy(ctx.tls.minVersion) });
    }
  });
  return server;
}

/** One request on one listener. */
interface Exchange {
  app: HttpApp;
  msg: IncomingMessage;
  res: ServerResponse;
  secure: boolean;
}

/** The error boundary of one request: whatever a handler, the router or writeHead throws (sync
 *  or async) is logged with the route and ends this request only, as a 500 if nothing was sent
 *  yet, else by closing its connection. Nothing escapes to become an unhandled rejection, which
 *  would take every listener of the process down with it. */
export function serveRequest(ex: Exchange): void {
  const { app, msg, res } = ex;
  // Set before any handler runs, so the webmail's and JMAP's own responses carry it too.
  const hsts = hstsHeader({
    secure: ex.secure,
    // A configured certificate, or one ACME obtained from a CA browsers trust.
    configuredCert: app.ctx.config.tls.cert !== "" || (app.ctx.acme?.servesTrustedCertificate() ?? false),
    maxAgeSec: app.ctx.config.http.hstsMaxAgeSec,
  });
  if (hsts) res.setHeader("Strict-Transport-Security", hsts);
  // The method as the command (the observer folds unknown methods into one label).
  app.ctx.metrics.command("http", msg.method ?? "UNKNOWN");
  handle(ex).catch((e: unknown) => {
    app.ctx.log.error("http request failed", {
      method: msg.method,
      // Bounded: a hostile request target stays one short log field.
      path: (msg.url ?? "").slice(0, 256),
      ip: clientAddress(msg.socket),
      err: e instanceof Error ? e.message : String(e),
    });
    try {
      if (res.headersSent || res.destroyed) res.destroy();
      else writeResponse(ex, errorResponse(new HttpError(500, "Internal error."), app.ctx.log));
    } catch {
      res.destroy();
    }
  });
}

async function handle(ex: Exchange): Promise<void> {
  const { app, msg, res, secure } = ex;
  let out: HttpResponse;
  try {
    // JMAP and the webmail: HTTPS only (plain HTTP falls through to the redirect to HTTPS).
    if (secure) for (const h of app.raw) if (await h(msg, res)) return;
    const body =
      msg.method === "POST" || msg.method === "PUT"
        ? await readBody(msg, app.ctx.config.http.maxBodyBytes)
        : Buffer.alloc(0);
    out = await dispatch(app, buildRequest(msg, body, secure));
  } catch (e) {
    // A raw handler that failed after sending its headers: only the boundary can end it.
    if (res.headersSent) throw e;
    out = errorResponse(e, app.ctx.log);
  }
  if (res.headersSent || res.destroyed) return;
  writeResponse(ex, out);
}

function writeResponse({ msg, res }: Exchange, out: HttpResponse): void {
  const headers = { ...securityHeaders(), ...out.headers };
  const body = typeof out.body === "string" ? Buffer.from(out.body, "utf8") : out.body;
  res.writeHead(out.status, { ...headers, "Content-Length": String(body.length) });
  res.end(msg.method === "HEAD" ? undefined : body);
}
