// yubin status — is the server well, in one screen: each configured listener and whether its
// port answers now, the certificate the listeners serve (read from a TLS handshake, so it is
// what clients see, also after a renewal), the outbound queue (from the store, which the CLI
// opens beside the running server), and the server's own view: ready or not, uncaught errors,
// and its last warnings and errors. Those live only in the server's memory
// (src/metrics/recent-errors.ts), so they are asked of it over /status: on the [metrics] listen
// address, else on an HTTPS listener with [metrics] token. With `serve --workers N` the answer is
// the whole server's, whichever worker took the request, with a line per worker. Exit code 0 when nothing is red, 1
// otherwise (a script or a cron job can alert on it).
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { certStatus } from "../../admin/cert-status.js";
import { listenersForRoles } from "../../app/roles.js";
import type { Config, ListenerConfig } from "../../config/schema.js";
import { parseListen } from "../../metrics/listener.js";
import type { StatusReport } from "../../metrics/monitoring.js";
import { onlyFlags, type ParsedArgs } from "../args.js";
import { type CliEnv, loadOrCreateConfig, print, withStore } from "../env.js";
import { CliError } from "../errors.js";

/** How long each probe may take: a port that does not answer in this time is down. */
const PROBE_MS = 3000;
/** As the admin TLS page (src/admin/tls.ts): this close to expiry the certificate is red. */
const CERT_RED_DAYS = 14;
/** Errors this recent make the status red (older ones are shown, not counted). */
const RECENT_ERROR_WINDOW_MS = 3600_000;
const SHOWN_ERRORS = 10;

type Verdict = "ok" | "warn" | "RED";

export async function statusCommand(env: CliEnv, args: ParsedArgs): Promise<void> {
  onlyFlags(args, []);
  const { config } = loadOrCreateConfig(env);
  const problems: string[] = [];
  const verdict = (v: Verdict, what: string) => {
    if (v === "RED") problems.push(what);
    return v;
  };

  // [server] roles: a listener of another role is not this node's to serve (src/app/roles.ts).
  print(env, `roles        ${config.server.roles.join(", ")}`);
  print(env, "listeners");
  const ours = new Set(listenersForRoles(config));
  const probes = await Promise.all(config.listeners.map((l) => (ours.has(l) ? probeTcp(l) : null)));
  config.listeners.forEach((l, i) => {
    const up = probes[i];
    const state = !ours.has(l)
      ? "off (not this node's role)"
      : up
        ? "up"
        : verdict("RED", `${l.protocol} ${l.address}:${l.port} does not answer`);
    print(
      env,
      `  ${l.protocol.padEnd(12)} ${`${l.address}:${l.port}`.padEnd(22)} ${l.tls.padEnd(9)} ${state}`,
    );
  });
  if (config.metrics.listen) {
    const { host, port } = parseListen(config.metrics.listen);
    const up = await probeTcp({ address: host, port });
    print(
      env,
      `  ${"metrics".padEnd(12)} ${config.metrics.listen.padEnd(22)} ${"none".padEnd(9)} ${up ? "up" : verdict("RED", `metrics ${config.metrics.listen} does not answer`)}`,
    );
  }

  const tlsListener = [...ours].find((l) => l.tls === "implicit");
  if (tlsListener) {
    try {
      const pem = await servedCertificate(tlsListener, config.server.hostname);
      const s = certStatus(pem, [config.server.hostname]);
      const v: Verdict =
        s.daysLeft < CERT_RED_DAYS || !s.covers.every((c) => c.ok) ? "RED" : s.selfSigned ? "warn" : "ok";
      verdict(
        v,
        `certificate: ${s.daysLeft} days left${s.covers.every((c) => c.ok) ? "" : `, does not name ${config.server.hostname}`}`,
      );
      print(env, `certificate  ${v}`);
      print(env, `  names      ${s.names.join(", ")}`);
      print(env, `  issuer     ${s.issuer}${s.selfSigned ? " (self-signed: clients will warn)" : ""}`);
      print(env, `  expires    ${s.notAfter.toISOString()} (${s.daysLeft} days)`);
    } catch (e) {
      print(env, `certificate  ${verdict("RED", "certificate: no TLS handshake")}: ${(e as Error).message}`);
    }
  }

  const q = await withStore(config, (store) => store.queue.queueStats());
  const ageSec = q.oldest ? Math.max(0, (Date.now() - q.oldest.getTime()) / 1000) : 0;
  // Half of the time a message may wait before it bounces: the admin still has time to act.
  const qv: Verdict =
    ageSec * 1000 > config.outbound.maxQueueTimeMs / 2 ? "RED" : q.deferred > 0 ? "warn" : "ok";
  verdict(qv, `queue: oldest message ${duration(ageSec)} old`);
  print(
    env,
    `queue        ${qv}: ${q.count} messages, ${q.deferred} deferred, oldest ${q.oldest ? duration(ageSec) : "-"}`,
  );

  let report: StatusReport | null = null;
  try {
    report = await askServer(config);
    if (report === null)
      print(
        env,
        "server       unknown: set [metrics] listen (or [metrics] token and an HTTPS listener) to ask it",
      );
  } catch (e) {
    print(env, `server       ${verdict("RED", "server: /status not answered")}: ${(e as Error).message}`);
  }
  if (report) {
    const sv: Verdict = report.notReady !== null || report.uncaughtErrors > 0 ? "RED" : "ok";
    verdict(sv, `server: ${report.notReady ?? `${report.uncaughtErrors} uncaught errors`}`);
    print(
      env,
      `server       ${sv}: ${report.notReady === null ? "ready" : `not ready (${report.notReady})`}, up since ${report.startedAt}, uncaught errors ${report.uncaughtErrors}, event-loop blocks ${report.loopBlocks}`,
    );
    // serve --workers N: the line above is the whole server's; each worker's own below.
    for (const w of report.workers ?? []) {
      const state = w.notReady === null ? "ready" : `not ready (${w.notReady})`;
      print(
        env,
        `  worker ${String(w.worker).padEnd(4)} pid ${String(w.pid).padEnd(8)} ${state}, up since ${w.startedAt || "-"}, uncaught errors ${w.uncaughtErrors}, event-loop blocks ${w.loopBlocks}, ${w.listeners.length} listeners`,
      );
    }
    const since = Date.now() - RECENT_ERROR_WINDOW_MS;
    const recent = report.recentErrors.filter((e) => e.level === "error" && Date.parse(e.time) >= since);
    if (recent.length > 0) verdict("RED", `${recent.length} errors logged in the last hour`);
    const shown = report.recentErrors.slice(-SHOWN_ERRORS);
    print(env, `recent warnings and errors (${shown.length} of ${report.recentErrors.length} kept)`);
    for (const e of shown) {
      const fields = Object.entries(e.fields)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(" ");
      print(env, `  ${e.time} ${e.level.padEnd(5)} ${e.msg}${fields ? ` ${fields}` : ""}`);
    }
  }

  if (problems.length > 0) throw new CliError(`status RED: ${problems.join("; ")}`, 1);
  print(env, "status ok");
}

/** Where a client on this host reaches a listener bound to `address`. */
function reachable(address: string): string {
  if (address === "" || address === "0.0.0.0") return "127.0.0.1";
  if (address === "::") return "::1";
  return address;
}

function probeTcp(l: Pick<ListenerConfig, "address" | "port">): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: reachable(l.address), port: l.port });
    const done = (up: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve(up);
    };
    const timer = setTimeout(() => done(false), PROBE_MS);
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
  });
}

/** The certificate an implicit-TLS listener presents for the server's name (not verified: it is
 *  what we want to look at). */
function servedCertificate(l: ListenerConfig, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({
      host: reachable(l.address),
      port: l.port,
      servername,
      rejectUnauthorized: false,
      // The HTTPS listener also speaks acme-tls/1; ask for what a browser asks for.
      ALPNProtocols: l.protocol === "http" ? ["http/1.1"] : undefined,
    });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no TLS handshake with ${l.address}:${l.port} in ${PROBE_MS} ms`));
    }, PROBE_MS);
    s.once("secureConnect", () => {
      clearTimeout(timer);
      const cert = s.getPeerX509Certificate();
      s.destroy();
      if (cert) resolve(cert.toString());
      else reject(new Error("the listener presented no certificate"));
    });
    s.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** The server's /status; null when no way to ask it is configured. */
async function askServer(config: Config): Promise<StatusReport | null> {
  if (config.metrics.listen) {
    const { host, port } = parseListen(config.metrics.listen);
    return getJson((o) => httpRequest({ ...o, host: reachable(host), port }));
  }
  const https = config.listeners.find((l) => l.protocol === "http" && l.tls === "implicit");
  if (config.metrics.token && https) {
    return getJson((o) =>
      httpsRequest({
        ...o,
        host: reachable(https.address),
        port: https.port,
        servername: config.server.hostname,
        // Our own server on this host: the token goes nowhere else, whatever its certificate.
        rejectUnauthorized: false,
        headers: { Authorization: `Bearer ${config.metrics.token}` },
      }),
    );
  }
  return null;
}

function getJson(
  open: (o: { path: string; method: string; timeout: number }) => ReturnType<typeof httpRequest>,
) {
  return new Promise<StatusReport>((resolve, reject) => {
    const req = open({ path: "/status", method: "GET", timeout: PROBE_MS });
    req.on("timeout", () => req.destroy(new Error(`no answer in ${PROBE_MS} ms`)));
    req.on("error", reject);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        // The report is a few kilobytes; anything far larger is not ours.
        if (size > 1024 * 1024) req.destroy(new Error("/status answer too large"));
        else chunks.push(c);
      });
      res.on("end", () => {
        if (res.statusCode !== 200) return reject(new Error(`/status answered ${res.statusCode}`));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")) as StatusReport);
        } catch (e) {
          reject(e as Error);
        }
      });
    });
    req.end();
  });
}

function duration(sec: number): string {
  if (sec < 60) return `${Math.floor(sec)}s`;
  if (sec < 3600) return `${Math.floor(sec / 60)}m`;
  if (sec < 86400) return `${Math.floor(sec / 3600)}h ${Math.floor((sec % 3600) / 60)}m`;
  return `${Math.floor(sec / 86400)}d ${Math.floor((sec % 86400) / 3600)}h`;
}
