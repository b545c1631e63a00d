// The [metrics] listen address: a plain-HTTP server of its own with /metrics (no token: the admin
// binds it to loopback or a private network for the scraper), /status (yubin status), /healthz
// and /readyz. Nothing else
// is served there, so it can be opened to a monitoring network without exposing the web pages.
import { createServer, type Server } from "node:http";
import type { Logger } from "../log/logger.js";
import { healthz, type Monitoring, metrics, type PlainResponse, readyz, status } from "./monitoring.js";

const MAX_CONNECTIONS = 32;

export interface MetricsListener {
  port: number;
  close(): Promise<void>;
}

/** "host:port" or "[v6]:port". */
export function parseListen(listen: string): { host: string; port: number } {
  const colon = listen.lastIndexOf(":");
  const port = Number(listen.slice(colon + 1));
  let host = listen.slice(0, Math.max(0, colon));
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (colon < 1 || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`metrics.listen: expected address:port, got "${listen}"`);
  return { host, port };
}

export async function startMetricsListener(
  listen: string,
  opts: { monitoring: Monitoring; log: Logger },
): Promise<MetricsListener> {
  const { host, port } = parseListen(listen);
  const answer = async (path: string): Promise<PlainResponse> => {
    if (path === "/healthz") return healthz();
    if (path === "/readyz") return readyz(opts.monitoring);
    if (path === "/metrics") return metrics(opts.monitoring, null);
    if (path === "/status") return status(opts.monitoring, null);
    return { status: 404, contentType: "text/plain; charset=utf-8", body: "not found\n" };
  };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const done = (r: PlainResponse) => {
      res.writeHead(r.status, { "Content-Type": r.contentType, "Cache-Control": "no-store", ...r.headers });
      res.end(req.method === "HEAD" ? undefined : r.body);
    };
    if (req.method !== "GET" && req.method !== "HEAD") {
      done({
        status: 405,
        contentType: "text/plain; charset=utf-8",
        body: "GET only\n",
        headers: { Allow: "GET, HEAD" },
      });
      return;
    }
    answer(path).then(done, (e: unknown) => {
      opts.log.warn("metrics listener: request failed", { path, error: e });
      if (!res.headersSent)
        done({ status: 500, contentType: "text/plain; charset=utf-8", body: "internal error\n" });
      else res.destroy();
    });
  });
  // A scraper holds few connections; a slow or stuck one must not keep sockets forever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  // Scrapers and `yubin status` need a handful; more is someone else, refused at accept.
  server.maxConnections = MAX_CONNECTIONS;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const bound = typeof address === "object" && address ? address.port : port;
  opts.log.info("listening", { protocol: "metrics", address: host, port: bound });
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
