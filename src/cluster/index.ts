// What the nodes of one installation share through Redis ([cluster] redisUrl, issue 17): the
// change notifier, the counters (login throttle, rate limits, POP-before-SMTP), the session
// locks (POP3 maildrop) and the JMAP uploads. Without a redisUrl, src/app/start.ts keeps the in-process ones
// (LocalNotifier, MemoryCounters, MemoryLocks) or, under `serve --workers N`, the supervisor's.
// Two connections: one for commands (PUBLISH, counters, locks), one subscribed to the events.
import { hostname } from "node:os";
import type { Redis } from "ioredis";
import type { Logger } from "../log/logger.js";
import type { UploadLimits } from "../store/uploads.js";
import type { clusterSection } from "./config.js";
import { connectRedis } from "./redis.js";
import { RedisCounters } from "./redis-counters.js";
import { RedisLocks } from "./redis-locks.js";
import { RedisNotifier } from "./redis-notifier.js";
import { RedisUploads } from "./redis-uploads.js";

type ClusterConfig = { [K in keyof typeof clusterSection]: (typeof clusterSection)[K]["default"] };

export interface Cluster {
  nodeId: string;
  notifier: RedisNotifier;
  counters: RedisCounters;
  locks: RedisLocks;
  uploads: RedisUploads;
  /** Releases held locks, stops hearing other nodes, closes both connections. */
  close(): Promise<void>;
}

/** The shared services on `url`; throws naming the URL when Redis cannot be reached. */
/** This node's name among those sharing Redis or PostgreSQL ([cluster] nodeId). */
export function nodeIdOf(config: Pick<ClusterConfig, "nodeId">): string {
  return config.nodeId || `${hostname()}:${process.pid}`;
}

export async function openCluster(
  url: string,
  config: ClusterConfig,
  opts: { log: Logger; uploads: UploadLimits },
): Promise<Cluster> {
  const log = opts.log;
  const nodeId = nodeIdOf(config);
  const settings = {
    url,
    connectTimeoutMs: config.connectTimeoutMs,
    commandTimeoutMs: config.commandTimeoutMs,
    log,
  };
  const cmd = await connectRedis(settings, `yubin:${nodeId}`);
  let sub: Redis | null = null;
  try {
    sub = await connectRedis(settings, `yubin:${nodeId}:events`, true);
    const notifier = await RedisNotifier.open({
      pub: cmd,
      sub,
      channel: `${config.keyPrefix}events`,
      nodeId,
      log,
    });
    const counters = new RedisCounters(cmd, { keyPrefix: config.keyPrefix });
    const locks = new RedisLocks(cmd, {
      keyPrefix: config.keyPrefix,
      leaseMs: config.lockLeaseSec * 1000,
      log,
    });
    const uploads = new RedisUploads(cmd, { keyPrefix: config.keyPrefix, limits: opts.uploads });
    const subscriber = sub;
    log.info("sharing coordination through Redis", { node: nodeId });
    return {
      nodeId,
      notifier,
      counters,
      locks,
      uploads,
      async close() {
        await locks.close();
        await notifier.close();
        subscriber.disconnect();
        await cmd.quit().catch(() => cmd.disconnect());
      },
    };
  } catch (e) {
    sub?.disconnect();
    cmd.disconnect();
    throw e;
  }
}
