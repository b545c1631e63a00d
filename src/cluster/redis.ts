// Connections to the Redis the nodes share ([cluster] redisUrl). Every command fails fast when
// Redis is away (no offline queue, no retries of a sent command, a command timeout), as a
// StoreUnavailableError the protocols answer as a temporary failure; the connection itself keeps
// reconnecting in the background with a capped backoff.
import { Redis, ReplyError } from "ioredis";
import type { Logger } from "../log/logger.js";
import { StoreUnavailableError } from "../store/errors.js";

export interface RedisSettings {
  url: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  log: Logger;
}

/** The URL without its password, for messages and logs. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable redisUrl)";
  }
}

/**
 * A connected client, or a clear error naming the URL when Redis cannot be reached by
 * connectTimeoutMs: a node must not start believing it shares locks and counters it does not.
 * `subscriber`: the connection is used for SUBSCRIBE only (its SUBSCRIBE is queued while it
 * reconnects, and ioredis subscribes again after each reconnection).
 */
export async function connectRedis(s: RedisSettings, name: string, subscriber = false): Promise<Redis> {
  const client = new Redis(s.url, {
    lazyConnect: true,
    connectionName: name,
    connectTimeout: s.connectTimeoutMs,
    // A subscriber's only command is SUBSCRIBE: a timeout on it would end a long subscription.
    commandTimeout: subscriber ? undefined : s.commandTimeoutMs,
    enableOfflineQueue: subscriber,
    maxRetriesPerRequest: subscriber ? null : 0,
    autoResubscribe: true,
    // Reconnect for ever, 100 ms, 200 ms, … up to 2 s apart.
    retryStrategy: (times) => Math.min(times * 100, 2000),
  });
  const warn = rateLimited(s.log, 30_000);
  client.on("error", (e: Error) => warn("redis connection error", { redis: name, err: e.message }));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer in ${s.connectTimeoutMs} ms`)),
          s.connectTimeoutMs,
        );
      }),
    ]);
    if (!subscriber) await client.ping();
  } catch (e) {
    client.disconnect();
    throw new Error(
      `cannot reach Redis at ${redactedUrl(s.url)} ([cluster] redisUrl): ${(e as Error).message}`,
    );
  } finally {
    clearTimeout(timer);
  }
  return client;
}

/** Runs one Redis call; a lost or refused connection or a timeout becomes StoreUnavailableError
 *  (temporary), an error Redis answered (a script's bug) stays what it is. */
export async function redisCall<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ReplyError) throw e;
    throw new StoreUnavailableError(`Redis unavailable: ${(e as Error).message}`, e);
  }
}

/** A warning logged at most once per `everyMs` (with how many were left out), so a Redis that is
 *  down for an hour does not write a line per event. */
export function rateLimited(
  log: Logger,
  everyMs: number,
): (msg: string, fields: Record<string, unknown>) => void {
  let last = -Infinity;
  let skipped = 0;
  return (msg, fields) => {
    const now = Date.now();
    if (now - last < everyMs) {
      skipped++;
      return;
    }
    last = now;
    log.warn(msg, skipped > 0 ? { ...fields, skipped } : fields);
    skipped = 0;
  };
}
