// What /metrics, /healthz and /readyz answer, apart from how they are served: the web listeners
// carry them as routes (routes.ts), the [metrics] listen address as a listener of its own
// (listener.ts). Built in src/app/start.ts and kept on AppContext.monitoring.
import { timingSafeEqual } from "node:crypto";
import type { PrometheusMetrics } from "./prometheus.js";
import type { RecentError } from "./recent-errors.js";

/** What `yubin status` asks the running server (/status, JSON). */
export interface StatusReport {
  startedAt: string;
  /** Null when ready, else why not (as /readyz). */
  notReady: string | null;
  uncaughtErrors: number;
  loopBlocks: number;
  /** The last warnings and errors logged, oldest first (recent-errors.ts). */
  recentErrors: RecentError[];
}

export interface Monitoring {
  /** The Prometheus observer; null when [metrics] enabled = false (nothing is counted). */
  prometheus: PrometheusMetrics | null;
  /** Bearer token /metrics requires on the web listeners ("" = not served there). */
  token: string;
  /** Null when ready, else why not (load balancers take us out of rotation on 503). */
  notReady(): Promise<string | null>;
  status(): Promise<StatusReport>;
}

export interface PlainResponse {
  status: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

const text = (status: number, body: string, headers?: Record<string, string>): PlainResponse => ({
  status,
  contentType: "text/plain; charset=utf-8",
  body,
  headers,
});

/** Liveness: answering at all shows the event loop runs. */
export function healthz(): PlainResponse {
  return text(200, "ok\n");
}

export async function readyz(m: Monitoring): Promise<PlainResponse> {
  const reason = await m.notReady();
  return reason === null ? text(200, "ready\n") : text(503, `not ready: ${reason}\n`);
}

/** /metrics. `authorization` is the request's header, or null on the metrics listener (no token
 *  there: it is bound to an address the admin chose for scrapers). */
export async function metrics(
  m: Monitoring,
  authorization: string | null | undefined,
): Promise<PlainResponse> {
  if (!m.prometheus) return text(404, "metrics are off ([metrics] enabled = false)\n");
  if (authorization !== null) {
    if (m.token === "") return text(404, "not found\n");
    if (!bearerMatches(authorization, m.token))
      return text(401, "bearer token required\n", { "WWW-Authenticate": 'Bearer realm="metrics"' });
  }
  return { status: 200, contentType: m.prometheus.contentType, body: await m.prometheus.scrape() };
}

/** /status: the same access as /metrics (token on the web listeners, none on the metrics
 *  listener), but served also when metrics are off: it is about the server, not its counters. */
export async function status(
  m: Monitoring,
  authorization: string | null | undefined,
): Promise<PlainResponse> {
  if (authorization !== null) {
    if (m.token === "") return text(404, "not found\n");
    if (!bearerMatches(authorization, m.token))
      return text(401, "bearer token required\n", { "WWW-Authenticate": 'Bearer realm="metrics"' });
  }
  return { status: 200, contentType: "application/json", body: JSON.stringify(await m.status()) };
}

/** RFC 6750 2.1 "Bearer" credentials, compared in constant time (the scheme is case-insensitive). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  if (!header || token === "") return false;
  const space = header.indexOf(" ");
  if (space < 0 || header.slice(0, space).toLowerCase() !== "bearer") return false;
  const given = Buffer.from(header.slice(space + 1).trim());
  const want = Buffer.from(token);
  // Equal lengths for timingSafeEqual; a length mismatch compares the token with itself and fails.
  return given.length === want.length ? timingSafeEqual(given, want) : !timingSafeEqual(want, want);
}
