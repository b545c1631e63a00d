// Wires one Yubin process: storage, auth, TLS, then one listener per config entry.
// Everything is passed explicitly (AppContext); tests build the same app on ephemeral ports.
import { createAuthService } from "../auth/service.js";
import type { Config } from "../config/schema.js";
import { createCachedDnsResolver } from "../dns/resolver.js";
import { createLogger, type Logger } from "../log/logger.js";
import { mailauthFor } from "../mailauth/services.js";
import { parseStructure } from "../mime/parse.js";
import { createQueueRunner, type QueueRunner } from "../outbound/runner.js";
import { type CounterStore, MemoryCounters } from "../store/counters.js";
import { type ChangeNotifier, LocalNotifier } from "../store/notifier.js";
import { openSqliteStore } from "../store/sqlite/index.js";
import type { Store } from "../store/types.js";
import { ActivityTracker } from "./activity.js";
import type { AppContext, RunningListener } from "./context.js";
import { newHealth } from "./health.js";
import { startLoopMonitor } from "./loop-monitor.js";
import { listenerFactories } from "./protocols.js";
import { createTlsProvider, type ReloadableTls } from "./tls.js";

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
}

export class AppError extends Error {
  override name = "AppError";
}

export async function openStore(config: Config, notifier: ChangeNotifier, log: Logger): Promise<Store> {
  return openSqliteStore({
    dataDir: config.server.dataDir,
    notifier,
    inlineMaxBytes: config.storage.inlineMaxBytes,
    groupCommitMaxBatch: config.storage.groupCommitMaxBatch,
    checkpointIntervalMs: config.storage.checkpointIntervalMs,
    flagCacheMessages: config.storage.flagCacheMessages,
    mailboxNameMaxBytes: config.storage.mailboxNameMaxBytes,
    parse: (body) =>
      parseStructure(body, { maxDepth: config.storage.mimeMaxDepth, maxParts: config.storage.mimeMaxParts }),
    log,
  });
}

export async function startApp(config: Config, deps: AppDeps = {}): Promise<App> {
  const log =
    deps.log ??
    createLogger({
      level: config.log.level,
      format: config.log.format === "auto" ? undefined : config.log.format,
    });
  for (const l of config.listeners) {
    if (!listenerFactories[l.protocol])
      throw new AppError(
        `listener ${l.protocol} on ${l.address}:${l.port}: protocol not available in this build`,
      );
  }
  const notifier = deps.notifier ?? new LocalNotifier();
  const counters = deps.counters ?? new MemoryCounters();
  const tls = await createTlsProvider(config);
  const store = deps.store ?? (await openStore(config, notifier, log));
  const auth = createAuthService({ directory: store.directory, counters, config: config.auth, log });
  const activity = new ActivityTracker();
  const health = newHealth();
  const ctx: AppContext = { config, store, notifier, counters, auth, tls, log, activity, health };
  const stopMonitor = startLoopMonitor({
    thresholdMs: config.server.eventLoopBlockWarnMs,
    activity,
    health,
    log,
  });

  const listeners: RunningListener[] = [];
  try {
    for (const l of config.listeners) {
      const running = await listenerFactories[l.protocol]!(l, ctx);
      listeners.push(running);
      log.info("listening", { protocol: l.protocol, tls: l.tls, address: l.address, port: running.port });
    }
  } catch (e) {
    stopMonitor();
    await Promise.all(listeners.map((r) => r.close(0)));
    await store.close();
    throw e;
  }

  let outbound: QueueRunner | null = null;
  if (config.outbound.enabled) {
    outbound = createQueueRunner({
      store,
      config,
      log,
      resolver: createCachedDnsResolver(config.dns),
      // DSNs to other domains carry our DKIM signature, like users' mail.
      sign: (body) => mailauthFor(ctx).signer.sign(body),
    });
    outbound.start();
    const runner = outbound;
    ctx.kickQueue = () => runner.kick();
  }

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      const graceMs = config.server.shutdownGraceSec * 1000;
      await outbound?.stop(graceMs);
      await Promise.all(listeners.map((r) => r.close(graceMs)));
      await store.close();
      stopMonitor();
      log.info("stopped");
    })();
    return stopping;
  };
  return { ctx, listeners, tls, outbound, stop };
}
