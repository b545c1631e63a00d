// The Prometheus observer of the metric events (issue 21): counters and histograms on a Registry
// of this server's own (several servers run in one test process, so never prom-client's global
// one), and gauges read when /metrics is scraped (queue, certificate expiry, uncaught errors).
// Label children are made once and kept (a Map per counter), so an event on the request path is
// one Map lookup and one increment; label values come from closed unions or are folded into
// "UNKNOWN" (commands), so no client string can grow the label set.
import { X509Certificate } from "node:crypto";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { MetricEvents, ProtocolName } from "./events.js";
import { aggregatedText, type MetricsJson, type MetricsSharing } from "./shared.js";

/** What the scrape-time gauges read; each is optional so a partial app can still be scraped. */
export interface GaugeSources {
  /** The outbound queue now (QueueStore.queueStats). */
  queue?: () => Promise<{ count: number; oldest: Date | null }>;
  /** The PEM chain the listeners serve now. */
  certificatePem?: () => string;
  /** Unhandled rejections and uncaught exceptions survived since start (server/health.ts). */
  uncaughtErrors?: () => number;
}

export interface PrometheusMetrics extends MetricEvents {
  readonly registry: Registry;
  /** The exposition text (this server's metrics, then the process's own); with several
   *  processes (`sharing`), every process's merged (shared.ts). */
  scrape(): Promise<string>;
  /** This process's metrics alone, as prom-client's JSON (what another process merges). */
  json(): Promise<MetricsJson>;
  readonly contentType: string;
}

/** Verbs each protocol has; anything else a client sends is counted as "UNKNOWN". */
const KNOWN_VERBS: Record<ProtocolName, readonly string[]> = {
  smtp: [
    "HELO",
    "EHLO",
    "MAIL",
    "RCPT",
    "DATA",
    "BDAT",
    "RSET",
    "NOOP",
    "QUIT",
    "VRFY",
    "EXPN",
    "HELP",
    "STARTTLS",
    "AUTH",
  ],
  submission: [
    "HELO",
    "EHLO",
    "MAIL",
    "RCPT",
    "DATA",
    "BDAT",
    "RSET",
    "NOOP",
    "QUIT",
    "VRFY",
    "EXPN",
    "HELP",
    "STARTTLS",
    "AUTH",
  ],
  imap: [
    "CAPABILITY",
    "NOOP",
    "LOGOUT",
    "STARTTLS",
    "AUTHENTICATE",
    "LOGIN",
    "ENABLE",
    "SELECT",
    "EXAMINE",
    "CREATE",
    "DELETE",
    "RENAME",
    "SUBSCRIBE",
    "UNSUBSCRIBE",
    "LIST",
    "LSUB",
    "NAMESPACE",
    "STATUS",
    "APPEND",
    "IDLE",
    "CHECK",
    "CLOSE",
    "UNSELECT",
    "EXPUNGE",
    "SEARCH",
    "FETCH",
    "STORE",
    "COPY",
    "MOVE",
    "UID",
    "ID",
    "GETQUOTA",
    "GETQUOTAROOT",
    "SETQUOTA",
    "GETACL",
    "SETACL",
    "MYRIGHTS",
    "LISTRIGHTS",
    "DELETEACL",
    "GETMETADATA",
    "SETMETADATA",
    "COMPRESS",
    "ESEARCH",
    "SORT",
    "THREAD",
    "NOTIFY",
    "UID FETCH",
    "UID STORE",
    "UID SEARCH",
    "UID COPY",
    "UID MOVE",
    "UID EXPUNGE",
    "UID SORT",
    "UID THREAD",
    "DONE",
  ],
  pop3: [
    "USER",
    "PASS",
    "APOP",
    "AUTH",
    "STAT",
    "LIST",
    "RETR",
    "DELE",
    "NOOP",
    "RSET",
    "QUIT",
    "TOP",
    "UIDL",
    "CAPA",
    "STLS",
    "UTF8",
  ],
  managesieve: [
    "AUTHENTICATE",
    "STARTTLS",
    "LOGOUT",
    "CAPABILITY",
    "HAVESPACE",
    "PUTSCRIPT",
    "LISTSCRIPTS",
    "SETACTIVE",
    "GETSCRIPT",
    "DELETESCRIPT",
    "RENAMESCRIPT",
    "CHECKSCRIPT",
    "NOOP",
    "UNAUTHENTICATE",
  ],
  http: ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"],
};

/** Commit and fsync times: from a tenth of a millisecond (a small commit on a fast disk) to 5 s. */
const STORE_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * A labelled counter's children, counted in plain numbers and added to prom-client's counter when
 * it is collected (a scrape, or the gathering of every worker's metrics). prom-client's own child
 * inc() hashes and validates the label object on every call, ~1 % of the server's CPU under
 * IMAP's mixed load (one command counted per command); this is a Map lookup and an addition.
 * Each child is made once per label values and kept; values come from closed sets.
 */
class Tallies {
  private readonly all: { labels: Partial<Record<string, string>>; n: number; flushed: number }[] = [];

  constructor(private readonly labelNames: readonly string[]) {}

  /** A new child for these label values (in labelNames' order). */
  make(values: readonly string[]): { inc(): void } {
    const labels: Partial<Record<string, string>> = {};
    this.labelNames.forEach((name, i) => {
      labels[name] = values[i];
    });
    const t = { labels, n: 0, flushed: 0 };
    this.all.push(t);
    return {
      inc() {
        t.n++;
      },
    };
  }

  /** What was counted since the last collection, into prom-client's counter (its collect()). */
  flush(counter: Counter<string>): void {
    for (const t of this.all) {
      if (t.n === t.flushed) continue;
      counter.inc(t.labels, t.n - t.flushed);
      t.flushed = t.n;
    }
  }
}

type Child = { inc(): void };

/** A one-label counter's children, made on first use and kept: the hot path is a Map lookup. */
function children1(tallies: Tallies) {
  const m = new Map<string, Child>();
  return (a: string): Child => {
    let c = m.get(a);
    if (!c) {
      c = tallies.make([a]);
      m.set(a, c);
    }
    return c;
  };
}

/** The same for two labels, nested so no key string is built per event. */
function children2(tallies: Tallies) {
  const m = new Map<string, (b: string) => Child>();
  return (a: string, b: string): Child => {
    let inner = m.get(a);
    if (!inner) {
      const byB = new Map<string, Child>();
      inner = (y: string) => {
        let c = byB.get(y);
        if (!c) {
          c = tallies.make([a, y]);
          byB.set(y, c);
        }
        return c;
      };
      m.set(a, inner);
    }
    return inner(b);
  };
}

/** A counter whose labelled children are Tallies, flushed when prom-client collects it. */
function talliedCounter(config: {
  name: string;
  help: string;
  labelNames: readonly string[];
  registers: Registry[];
}): { counter: Counter<string>; tallies: Tallies } {
  const tallies = new Tallies(config.labelNames);
  const counter: Counter<string> = new Counter({
    ...config,
    collect() {
      tallies.flush(counter);
    },
  });
  return { counter, tallies };
}

export function createPrometheusMetrics(
  sources: GaugeSources = {},
  opts: { sharing?: MetricsSharing } = {},
): PrometheusMetrics {
  const registry = new Registry();
  const registers = [registry];
  const connections = talliedCounter({
    name: "yubin_connections_total",
    help: "Connections accepted, by protocol (after the connection caps).",
    labelNames: ["protocol"] as const,
    registers,
  });
  const commands = talliedCounter({
    name: "yubin_commands_total",
    help: "Commands handled, by protocol and verb (verbs the server does not know: UNKNOWN).",
    labelNames: ["protocol", "command"] as const,
    registers,
  });
  const logins = talliedCounter({
    name: "yubin_logins_total",
    help: "Logins decided, by protocol and result (ok, failed, throttled).",
    labelNames: ["protocol", "result"] as const,
    registers,
  });
  const accepted = talliedCounter({
    name: "yubin_messages_accepted_total",
    help: "Messages acknowledged as durable, by the door they came in by.",
    labelNames: ["door"] as const,
    registers,
  });
  const rejected = talliedCounter({
    name: "yubin_messages_rejected_total",
    help: "Messages or recipients refused, by door and reason.",
    labelNames: ["door", "reason"] as const,
    registers,
  });
  const spam = talliedCounter({
    name: "yubin_spam_verdicts_total",
    help: "The spam filter's verdicts on inbound mail (ham, junk, rejected).",
    labelNames: ["verdict"] as const,
    registers,
  });
  const viruses = new Counter({
    name: "yubin_viruses_total",
    help: "Messages the antivirus found a virus in.",
    registers,
  });
  const deliveries = talliedCounter({
    name: "yubin_deliveries_total",
    help: "Recipients' delivery attempts ended, by result and destination (local, remote).",
    labelNames: ["result", "destination"] as const,
    registers,
  });
  const commit = new Histogram({
    name: "yubin_store_commit_seconds",
    help: "Duration of the store's durable write transactions (group commits).",
    buckets: STORE_BUCKETS,
    registers,
  });
  const fsync = new Histogram({
    name: "yubin_store_fsync_seconds",
    help: "Duration of the fsync part of each group commit.",
    buckets: STORE_BUCKETS,
    registers,
  });
  // Both queue gauges come from one store query per scrape: the gauges are collected in
  // parallel, so the first starts the query and the second awaits the same promise.
  let queueQuery: Promise<{ count: number; oldest: Date | null }> | null = null;
  const queueNow = () => {
    if (!sources.queue) return null;
    if (!queueQuery) {
      queueQuery = sources.queue();
      const clear = () => {
        queueQuery = null;
      };
      queueQuery.then(clear, clear);
    }
    return queueQuery;
  };
  new Gauge({
    name: "yubin_queue_messages",
    help: "Messages in the outbound queue (waiting, deferred, being sent or held).",
    registers,
    // Every process of the server reads the one store's queue: the same number, not a share.
    aggregator: "max",
    async collect() {
      const q = await queueNow()?.catch(() => null);
      if (q) this.set(q.count);
    },
  });
  new Gauge({
    name: "yubin_queue_oldest_age_seconds",
    help: "Age of the oldest message in the outbound queue (0 when it is empty).",
    registers,
    aggregator: "max",
    async collect() {
      // A failed query leaves both gauges as they were; /readyz reports the store's failure.
      const q = await queueNow()?.catch(() => null);
      if (q) this.set(q.oldest ? Math.max(0, (Date.now() - q.oldest.getTime()) / 1000) : 0);
    },
  });
  let certCache: { pem: string; expiry: number } | null = null;
  new Gauge({
    name: "yubin_certificate_expiry_timestamp_seconds",
    help: "When the TLS certificate the listeners serve expires (Unix time).",
    registers,
    // A worker that has not reloaded yet still serves the older one: the soonest counts.
    aggregator: "min",
    collect() {
      const pem = sources.certificatePem?.();
      if (!pem) return;
      if (certCache?.pem !== pem) certCache = { pem, expiry: certificateExpiry(pem) };
      this.set(certCache.expiry);
    },
  });
  new Gauge({
    name: "yubin_uncaught_errors_total",
    help: "Unhandled rejections and uncaught exceptions survived since the server started.",
    registers,
    collect() {
      if (sources.uncaughtErrors) this.set(sources.uncaughtErrors());
    },
  });

  const connection = children1(connections.tallies);
  const command = children2(commands.tallies);
  const login = children2(logins.tallies);
  const accept = children1(accepted.tallies);
  const reject = children2(rejected.tallies);
  const verdict = children1(spam.tallies);
  const delivery = children2(deliveries.tallies);
  const verbs = new Map<ProtocolName, Set<string>>(
    Object.entries(KNOWN_VERBS).map(([p, v]) => [p as ProtocolName, new Set(v)]),
  );

  const json = async (): Promise<MetricsJson> => [
    ...(await registry.getMetricsAsJSON()),
    ...(await processRegistry().getMetricsAsJSON()),
  ];
  const sharing = opts.sharing;
  sharing?.provide(json);
  return {
    registry,
    contentType: registry.contentType,
    async scrape() {
      if (sharing) return aggregatedText(await sharing.gather());
      const own = await registry.metrics();
      return own + (await processRegistry().metrics());
    },
    json,
    connection: (p) => connection(p).inc(),
    command(p, verb) {
      // Callers pass the verb upper-cased; anything outside the protocol's verbs is one label.
      const known = verbs.get(p)?.has(verb) ? verb : "UNKNOWN";
      command(p, known).inc();
    },
    login: (p, r) => login(p, r).inc(),
    messageAccepted: (d) => accept(d).inc(),
    messageRejected: (d, r) => reject(d, r).inc(),
    spamVerdict: (v) => verdict(v).inc(),
    virusFound: () => viruses.inc(),
    delivery: (r, d) => delivery(r, d).inc(),
    storeCommit(seconds, fsyncSeconds) {
      commit.observe(seconds);
      fsync.observe(fsyncSeconds);
    },
  };
}

function certificateExpiry(pem: string): number {
  const first = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (!first) return 0;
  return new Date(new X509Certificate(first).validTo).getTime() / 1000;
}

// The process's own metrics (memory, CPU, GC, handles, event-loop lag) are one set per process
// whatever number of servers run in it, and their collectors (a GC observer, an event-loop
// histogram) must not be started once per server: one registry, made on first scrape.
let processMetrics: Registry | null = null;
function processRegistry(): Registry {
  if (processMetrics) return processMetrics;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  new Gauge({
    name: "yubin_event_loop_lag_seconds",
    help: "Longest event-loop delay since the previous scrape (every client waits this long).",
    registers: [registry],
    // Over several processes, the worst one's: its clients waited that long.
    aggregator: "max",
    collect() {
      // max is in nanoseconds; reset so each scrape reports its own interval.
      this.set(delay.count > 0 || delay.max > 0 ? delay.max / 1e9 : 0);
      delay.reset();
    },
  });
  processMetrics = registry;
  return registry;
}
