// What /metrics, /healthz and /readyz answer, apart from how they are served: the web listeners
// carry them as routes (routes.ts), the [metrics] listen address as a listener of its own
// (listener.ts). Built in src/app/start.ts and kept on AppContext.monitoring.
import { timingSafeEqual } from "node:crypto";
import type { PrometheusMetrics } from "./prometheus.js";
import type { RecentError } from "./recent-errors.js";

/** What `yubin status` asks the running server (/status, JSON). With `serve --workers N` it is
 *  the whole server's, whichever worker the request reached (combineStatus): the worst of the
 *  workers, their counts summed, and each worker's own report in `workers`. */
export interface StatusReport {
  startedAt: string;
  /** Null when ready, else why not (as /readyz). */
  notReady: string | null;
  uncaughtErrors: number;
  loopBlocks: number;
  /** The last warnings and errors logged, oldest first (recent-errors.ts). */
  recentErrors: RecentError[];
  /** With several workers: each one's report, by worker number. */
  workers?: WorkerStatus[];
}

/** One worker's own part of /status. */
export interface WorkerStatus extends Omit<StatusReport, "workers"> {
  worker: number;
  pid: number;
  /** The listeners it serves ("imap 127.0.0.1:1143"); the workers share the sockets. */
  listeners: string[];
}

/** How the workers of one server see each other's status (src/workers/ipc-status.ts). */
export interface StatusSharing {
  /** This worker's number (1…N, as the supervisor's log lines say). */
  readonly worker: number;
  /** What this worker answers when another gathers. */
  provide(own: () => Promise<WorkerStatus>): void;
  /** Every live worker's report, this one's among them; fails when one does not answer. */
  gather(): Promise<WorkerStatus[]>;
}

/** The server's status from its workers' (ordered by worker number): not ready when any is not,
 *  naming it; errors and blocks summed; started when the first did; the most recent warnings and
 *  errors of all (each with its worker), at most as many as one worker keeps. */
export function combineStatus(all: WorkerStatus[]): StatusReport {
  const workers = [...all].sort((a, b) => a.worker - b.worker);
  const notReady = workers
    .filter((w) => w.notReady !== null)
    .map((w) => `worker ${w.worker}: ${w.notReady}`)
    .join("; ");
  const keep = Math.max(0, ...workers.map((w) => w.recentErrors.length));
  const recentErrors = workers
    .flatMap((w) => w.recentErrors.map((e) => ({ ...e, fields: { ...e.fields, worker: w.worker } })))
    .sort((a, b) => a.time.localeCompare(b.time))
    .slice(-keep);
  return {
    startedAt: workers.map((w) => w.startedAt).sort()[0] ?? "",
    notReady: notReady === "" ? (workers.length === 0 ? "no worker answered" : null) : notReady,
    uncaughtErrors: workers.reduce((n, w) => n + w.uncaughtErrors, 0),
    loopBlocks: workers.reduce((n, w) => n + w.loopBlocks, 0),
    recentErrors: keep === 0 ? [] : recentErrors,
    workers,
  };
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
