// The composition root: wires one Yubin process — which stores (stores.ts), which listeners
// (listeners.ts), which routes on the HTTP(S) listeners (web.ts) — then starts them. Nothing
// below src/app imports this folder: the libraries (http/, server/, store/, the protocol
// engines) are given what they need through AppContext and never reach for a feature.
// The CLI (`yubin serve`) and the test harness build the same app; tests on ephemeral ports.
import { acmeEnabled, servesIssuedCertificate } from "../acme/enabled.js";
import { issuedCertificate } from "../acme/files.js";
import { followIssuedCertificate } from "../acme/follower.js";
import { AcmeManager } from "../acme/manager.js";
import { antivirusFilters } from "../antivirus/filter.js";
import { SecondFactors } from "../auth/2fa/second-factors.js";
import { AppPasswords } from "../auth/app-passwords.js";
import { createAuthService } from "../auth/service.js";
import { openCluster } from "../cluster/index.js";
import type { Config } from "../config/schema.js";
import { createCachedDnsResolver } from "../dns/resolver.js";
import { dnsblStats } from "../dnsbl/index.js";
import { uriListSources } from "../dnsbl/uri-lists.js";
import { startGreylistSweeper } from "../greylist/sweeper.js";
import { ImportJobs } from "../import/jobs.js";
import { createLogger, type Logger } from "../log/logger.js";
import { fanOut, type MetricEvents } from "../metrics/events.js";
import { type MetricsListener, startMetricsListener } from "../metrics/listener.js";
import {
  combineStatus,
  type Monitoring,
  type StatusReport,
  type StatusSharing,
} from "../metrics/monitoring.js";
import { createPrometheusMetrics } from "../metrics/prometheus.js";
import { RecentErrors, recordingLogger } from "../metrics/recent-errors.js";
import type { MetricsSharing } from "../metrics/shared.js";
import { createTokenVerifier } from "../oauth/tokens.js";
import { createQueueRunner, type QueueRunner } from "../outbound/runner.js";
import { createPostOffice } from "../postoffice/post-office.js";
import { startDuplicateSweeper } from "../postoffice/sieve-sweeper.js";
import type { Filter } from "../postoffice/types.js";
import { receivedReports } from "../reports/inbound/index.js";
import { createReportSending } from "../reports/outbound/service.js";
import { rspamdSources } from "../rspamd/source.js";
import { ActivityTracker } from "../server/activity.js";
import type { AppContext, RunningListener } from "../server/context.js";
import { newHealth } from "../server/health.js";
import { startLoopMonitor } from "../server/loop-monitor.js";
import { createTlsProvider, type ReloadableTls } from "../server/tls.js";
import { spamFilters } from "../spam/filter.js";
import { startTokenExpiry } from "../spam/training/expiry.js";
import { JunkTrainer } from "../spam/training/trainer.js";
import { VerdictLog } from "../spam/verdict-log.js";
import { StatsRecorder } from "../stats/recorder.js";
import { type CounterStore, MemoryCounters } from "../store/counters.js";
import { type LockService, MemoryLocks } from "../store/locks.js";
import { type ChangeNotifier, LocalNotifier } from "../store/notifier.js";
import type { Store } from "../store/types.js";
import { MemoryUploads, type UploadStore, uploadLimitsOf } from "../store/uploads.js";
import { listenerFactories } from "./listeners.js";
import { listenersForRoles, runsDelivery } from "./roles.js";
import { openPostgresNotifier, openStore } from "./stores.js";

export interface App {
  ctx: AppContext;
  listeners: RunningListener[];
  tls: ReloadableTls;
  /** The outbound queue worker, when config.outbound.enabled. */
  outbound: QueueRunner | null;
  /** Stop accepting, let sessions finish within the grace period, close storage. */
  stop(): Promise<void>;
}

export interface AppDeps {
  log?: Logger;
  store?: Store; // default: the embedded SQLite store in config.server.dataDir
  notifier?: ChangeNotifier;
  counters?: CounterStore;
  locks?: LockService;
  uploads?: UploadStore;
  /** The post office's filter stage, in order (src/postoffice/filter.ts); none by default. */
  filters?: readonly Filter[];
  /** Further observers of the metric events (tests), beside the built-in ones. */
  metrics?: readonly MetricEvents[];
  /** With several processes (serve --workers N): /metrics answers for all of them. */
  metricsSharing?: MetricsSharing;
  /** With several processes: /status answers for all of them, each worker's part shown. */
  statusSharing?: StatusSharing;
  /** Whether this process runs the jobs one process per machine should (ACME renewals, the
   *  full-text indexer); default true. `serve --workers N` gives them to its first worker only. */
  machineJobs?: boolean;
}

export async function startApp(config: Config, deps: AppDeps = {}): Promise<App> {
  // The last warnings and errors are also kept for `yubin status` (src/metrics/recent-errors.ts).
  const recentErrors = new RecentErrors();
  const log = recordingLogger(
    deps.log ??
      createLogger({
        level: config.log.level,
        format: config.log.format === "auto" ? undefined : config.log.format,
      }),
    recentErrors,
  );
  // Change events, counters, session locks and JMAP uploads: shared with the other nodes through
  // Redis when [cluster] redisUrl is set (src/cluster; Redis unreachable at start is an error
  // naming it), else the given ones (the workers' supervisor, tests) or this process's own.
  const redisUrl = config.cluster.redisUrl || process.env.YUBIN_REDIS_URL || "";
  const uploadLimits = uploadLimitsOf(config.jmap);
  const cluster = redisUrl
    ? await openCluster(redisUrl, config.cluster, { log, uploads: uploadLimits })
    : null;
  // Without Redis, nodes on one PostgreSQL hear each other's changes through LISTEN/NOTIFY.
  const pgNotifier = cluster ? null : await openPostgresNotifier(config, log);
  const closeShared = async () => {
    await cluster?.close();
    await pgNotifier?.close();
  };
  const notifier = cluster?.notifier ?? pgNotifier ?? deps.notifier ?? new LocalNotifier();
  const counters = cluster?.counters ?? deps.counters ?? new MemoryCounters();
  const locks = cluster?.locks ?? deps.locks ?? new MemoryLocks();
  const uploads = cluster?.uploads ?? deps.uploads ?? new MemoryUploads(uploadLimits);
  // A certificate from an ACME CA (src/acme) is served as soon as it is issued (by this process,
  // or by the one with the HTTP listeners on the same data directory).
  // With several workers only the first renews (two would order the same certificate twice); the
  // others serve what it obtains, as a process without HTTP listeners does (follower below).
  const acmeOn = acmeEnabled(config) && (deps.machineJobs ?? true);
  const tls = await createTlsProvider(
    config,
    servesIssuedCertificate(config) ? { issued: issuedCertificate(config.server.dataDir) } : {},
  );
  // Group commits are timed for /metrics; the observer is set once the events' fan-out exists.
  let onCommit = (_seconds: number, _fsyncSeconds: number) => {};
  const store =
    deps.store ??
    // The full-text indexer runs in one worker of several (src/cli/commands/serve.ts says why).
    (await openStore(config, notifier, log, {
      onCommit: (s, f) => onCommit(s, f),
      fullTextIndexer: deps.machineJobs ?? true,
    }).catch(async (e) => {
      await closeShared();
      throw e;
    }));
  // After a reconnection to Redis, this node's listeners re-read their mailboxes from the store
  // (what other nodes published meanwhile is lost; PgNotifier reads them on its own connection).
  cluster?.notifier.readMailboxesFrom((accountId) => store.mail.listMailboxes(accountId));
  const appPasswords = new AppPasswords({
    store: store.appPasswords,
    dataDir: config.server.dataDir,
    maxPerAccount: config.auth.appPasswordsMax,
  });
  const secondFactors = new SecondFactors({ store: store.secondFactors, dataDir: config.server.dataDir });
  const auth = createAuthService({
    directory: store.directory,
    counters,
    config: config.auth,
    log,
    appPasswords,
    secondFactors,
    // OAuth 2.0 bearer tokens (issue 15), when [oauth] issuer is set.
    bearer: createTokenVerifier(config.oauth) ?? undefined,
    // Called only once started, when `metrics` (below) is set.
    metrics: { login: (p, r) => metrics.login(p, r) },
  });
  const activity = new ActivityTracker();
  const health = newHealth();
  // The spam filter's recent verdicts, written in batches and on stop (src/spam/verdict-log.ts).
  const spamVerdicts = new VerdictLog({ spam: store.spam, keep: config.spam.keepVerdicts, log });
  const imports = new ImportJobs({
    store,
    maxRunning: config.import.maxRunning,
    keepFinished: config.import.keepFinished,
    engine: { maxMessageBytes: config.imap.appendLimit },
    onEnd: (j) =>
      log.info("import ended", {
        job: j.id,
        account: j.address,
        source: j.label,
        state: j.state,
        imported: j.summary?.imported,
        failed: j.summary?.failed,
        error: j.error ?? undefined,
      }),
  });
  // The admin charts' hourly counters (src/stats/): counted in memory, written every flushSec.
  const statsRecorder = config.stats.enabled
    ? new StatsRecorder({
        store: store.statistics,
        log,
        flushSec: config.stats.flushSec,
        queueSampleSec: config.stats.queueSampleSec,
        hourlyRetentionDays: config.stats.hourlyRetentionDays,
        dailyRetentionDays: config.stats.dailyRetentionDays,
        queueSize: async () => (await store.queue.queueStats()).count,
      })
    : null;
  // The observers of src/metrics/events.ts: /metrics (issue 21) and the stored counters of the
  // admin charts register here as they are built.
  // [metrics] enabled = false builds no Prometheus observer at all (nothing counted, /metrics 404).
  const prometheus = config.metrics.enabled
    ? createPrometheusMetrics(
        {
          queue: () => store.queue.queueStats(),
          certificatePem: () => tls.pem().cert,
          uncaughtErrors: () => health.uncaughtErrors,
        },
        { sharing: deps.metricsSharing },
      )
    : null;
  const metrics = fanOut(
    [...(prometheus ? [prometheus] : []), ...(statsRecorder ? [statsRecorder] : []), ...(deps.metrics ?? [])],
    (e) => log.warn("metrics observer failed", { error: e }),
  );
  onCommit = (s, f) => metrics.storeCommit(s, f);
  // /readyz: ready once every listener is up, until stop begins, while the store answers.
  let phase: "starting" | "up" | "stopping" = "starting";
  const startedAt = new Date().toISOString();
  const monitoring: Monitoring = {
    prometheus,
    token: config.metrics.token,
    async notReady() {
      if (phase !== "up") return phase === "starting" ? "starting" : "stopping";
      try {
        await store.queue.queueStats();
        return null;
      } catch (e) {
        return `store: ${e instanceof Error ? e.message : String(e)}`;
      }
    },
    async status() {
      const sharing = deps.statusSharing;
      if (!sharing) return ownStatus();
      try {
        return combineStatus(await sharing.gather());
      } catch (e) {
        // A worker that does not answer: this one's report, saying so (not a failed request).
        const own = await ownStatus();
        const why = `not every worker answered: ${e instanceof Error ? e.message : String(e)}`;
        return { ...own, notReady: own.notReady ? `${own.notReady}; ${why}` : why };
      }
    },
  };
  async function ownStatus(): Promise<StatusReport> {
    return {
      startedAt,
      notReady: await monitoring.notReady(),
      uncaughtErrors: health.uncaughtErrors,
      loopBlocks: health.loopBlocks,
      recentErrors: recentErrors.list(),
    };
  }
  // DMARC and TLS-RPT reports mailed to our report addresses, read in the background (src/reports/inbound).
  const reports = receivedReports(config, { store, log });
  const ctx: AppContext = {
    config,
    store,
    metrics,
    stats: statsRecorder,
    monitoring,
    imports,
    notifier,
    counters,
    locks,
    uploads,
    auth,
    appPasswords,
    secondFactors,
    tls,
    log,
    activity,
    health,
    // Built-in filters first (a virus is refused before anything scores it), then the given ones.
    postOffice: createPostOffice({
      context: () => ctx,
      filters: [
        ...antivirusFilters(config.antivirus),
        ...spamFilters(config.spam, {
          spam: store.spam,
          verdicts: spamVerdicts,
          directory: store.directory,
          log,
          metrics,
          sources: [
            ...rspamdSources(config.rspamd, log),
            ...uriListSources(config.dnsbl, {
              resolver: createCachedDnsResolver(config.dns),
              log,
              stats: () => dnsblStats(ctx),
            }),
          ],
        }),
        ...reports.filters,
        ...(deps.filters ?? []),
      ],
    }),
  };
  const stopMonitor = startLoopMonitor({
    thresholdMs: config.server.eventLoopBlockWarnMs,
    activity,
    health,
    log,
  });

  const acme = acmeOn
    ? new AcmeManager({
        config,
        tls,
        domains: async () => (await store.directory.listDomains()).map((d) => d.name),
        log,
      })
    : null;
  if (acme) ctx.acme = acme;

  const listeners: RunningListener[] = [];
  let metricsListener: MetricsListener | null = null;
  try {
    // Only the listeners of this node's roles ([server] roles, roles.ts).
    log.info("roles", { roles: config.server.roles });
    for (const l of listenersForRoles(config)) {
      const running = await listenerFactories[l.protocol](l, ctx);
      listeners.push(running);
      log.info("listening", { protocol: l.protocol, tls: l.tls, address: l.address, port: running.port });
    }
    if (config.metrics.listen)
      metricsListener = await startMetricsListener(config.metrics.listen, { monitoring, log });
  } catch (e) {
    stopMonitor();
    await Promise.all(listeners.map((r) => r.close(0)));
    await store.close();
    await closeShared();
    throw e;
  }
  phase = "up";
  // Up: this worker's part of /status from now on (before, it answers "starting").
  const statusSharing = deps.statusSharing;
  statusSharing?.provide(async () => ({
    ...(await ownStatus()),
    worker: statusSharing.worker,
    pid: process.pid,
    listeners: [
      ...listeners.map((r) => `${r.listener.protocol} ${r.listener.address}:${r.port} ${r.listener.tls}`),
      ...(config.metrics.listen ? [`metrics ${config.metrics.listen}`] : []),
    ],
  }));

  statsRecorder?.start();

  // After the listeners: the CA connects to them to check its challenges.
  await acme?.start().catch((e) => log.error("acme did not start", { err: e as Error }));
  // Without ACME here, a certificate renewed by another process is picked up all the same.
  const stopFollower =
    !acme && servesIssuedCertificate(config)
      ? followIssuedCertificate({
          dataDir: config.server.dataDir,
          tls,
          log,
          intervalMs: config.acme.checkIntervalMin * 60_000,
        })
      : () => {};

  // The reports we send (src/reports/outbound): TLS-RPT counts from the delivery engine, DMARC
  // counts from the post office when [reports] dmarcSend is on, and the daily job.
  const reportSending = createReportSending({
    store,
    config,
    resolver: createCachedDnsResolver(config.dns),
    log,
    postOffice: ctx.postOffice,
  });
  ctx.reportSending = reportSending;
  reportSending.start();

  let outbound: QueueRunner | null = null;
  // A node without the delivery role never claims the queue (it still queues: the post office).
  if (runsDelivery(config)) {
    outbound = createQueueRunner({
      store,
      config,
      log,
      resolver: createCachedDnsResolver(config.dns),
      // DSNs and delay notices go through the post office's "system" door (signed, traced).
      postOffice: ctx.postOffice,
      tlsOutcome: reportSending.tlsOutcome,
      metrics,
    });
    outbound.start();
    const runner = outbound;
    ctx.kickQueue = () => runner.kick();
  }

  // Users' Junk moves and $Junk/$NotJunk keywords train the classifier (src/spam/training).
  const training = config.spam.enabled
    ? new JunkTrainer({
        mail: store.mail,
        spam: store.spam,
        notifier,
        log,
        maxPending: config.spam.trainQueue,
      }).start()
    : null;

  // The spam models cut back to their caps, least useful tokens first (src/spam/training/expiry.ts).
  const stopTokenExpiry = config.spam.enabled
    ? startTokenExpiry({
        store: store.spam,
        log,
        maxTokensGlobal: config.spam.maxTokensGlobal,
        maxTokensPerUser: config.spam.maxTokensPerUser,
      })
    : () => {};
  // Expired greylist entries forgotten in quiet times too (src/greylist/sweeper.ts).
  const stopSweeper = config.greylist.enabled
    ? startGreylistSweeper({ store: store.greylist, log })
    : () => {};
  // Expired Sieve duplicate and vacation memory records (src/postoffice/sieve-sweeper.ts).
  const stopDuplicateSweeper = startDuplicateSweeper({ store: store.sieve, log });

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      const graceMs = config.server.shutdownGraceSec * 1000;
      phase = "stopping";
      await acme?.stop();
      stopFollower();
      await outbound?.stop(graceMs);
      await reportSending.stop();
      await Promise.all(listeners.map((r) => r.close(graceMs)));
      await training?.stop();
      await reports.recorder?.stop();
      await spamVerdicts.stop();
      await imports.stop();
      stopSweeper();
      stopDuplicateSweeper();
      stopTokenExpiry();
      await statsRecorder?.stop();
      await metricsListener?.close();
      await store.close();
      await locks.close();
      await closeShared();
      stopMonitor();
      log.info("stopped");
    })();
    return stopping;
  };
  return { ctx, listeners, tls, outbound, stop };
}
