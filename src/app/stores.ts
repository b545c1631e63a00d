// Which stores one Yubin process uses: the embedded SQLite store in server.dataDir (the default),
// or the PostgreSQL store several nodes share (storage.backend = "postgres"), with the MIME parse
// limits of [storage]. The CLI opens the same store for its offline commands.
import { nodeIdOf } from "../cluster/index.js";
import type { Config } from "../config/schema.js";
import type { Logger } from "../log/logger.js";
import { parseStructure } from "../mime/parse.js";
import type { ChangeNotifier } from "../store/notifier.js";
import { openPostgresStore } from "../store/postgres/index.js";
import { PgNotifier } from "../store/postgres/notifier.js";
import type { FullTextBudget } from "../store/shared/fulltext-budget.js";
import { openSqliteStore } from "../store/sqlite/index.js";
import type { Store } from "../store/types.js";

export async function openStore(
  config: Config,
  notifier: ChangeNotifier,
  log: Logger,
  opts: { fullTextIndexer?: boolean; onCommit?: (seconds: number, fsyncSeconds: number) => void } = {},
): Promise<Store> {
  const parse = (body: Buffer) =>
    parseStructure(body, { maxDepth: config.storage.mimeMaxDepth, maxParts: config.storage.mimeMaxParts });
  if (config.storage.backend === "postgres") {
    const url = postgresUrl(config);
    return openPostgresStore({
      url,
      notifier,
      poolSize: config.storage.postgresPoolSize,
      connectTimeoutMs: config.storage.postgresConnectTimeoutMs,
      mailboxNameMaxBytes: config.storage.mailboxNameMaxBytes,
      fullTextMaxBytes: config.storage.fullTextMaxBytes,
      fullTextMaxWords: config.storage.fullTextMaxWords,
      fullTextBudget: fullTextBudgetOf(config),
      fullTextIndexer: opts.fullTextIndexer,
      parse,
      log,
    });
  }
  return openSqliteStore({
    dataDir: config.server.dataDir,
    notifier,
    inlineMaxBytes: config.storage.inlineMaxBytes,
    groupCommitMaxBatch: config.storage.groupCommitMaxBatch,
    checkpointIntervalMs: config.storage.checkpointIntervalMs,
    mmapBytes: config.storage.mmapBytes,
    flagCacheMessages: config.storage.flagCacheMessages,
    fullTextMaxBytes: config.storage.fullTextMaxBytes,
    fullTextMaxWords: config.storage.fullTextMaxWords,
    fullTextBudget: fullTextBudgetOf(config),
    externalChangePollMs: config.storage.externalChangePollMs,
    fullTextIndexer: opts.fullTextIndexer,
    onCommit: opts.onCommit,
    mailboxNameMaxBytes: config.storage.mailboxNameMaxBytes,
    parse,
    log,
  });
}

/** The full-text indexer's limits per message and per write (store/shared/fulltext-budget.ts). */
function fullTextBudgetOf(config: Config): FullTextBudget {
  return {
    maxNewWords: config.storage.fullTextMaxNewWords,
    batchBytes: config.storage.fullTextBatchBytes,
    batchNewWords: config.storage.fullTextBatchNewWords,
  };
}

function postgresUrl(config: Config): string {
  const url = config.storage.postgresUrl || process.env.YUBIN_POSTGRES_URL || "";
  if (!url)
    throw new Error(
      'storage.backend = "postgres" needs storage.postgresUrl (or YUBIN_POSTGRES_URL) to be set',
    );
  return url;
}

/** With storage.backend = "postgres" and no Redis, the nodes' change notifier: LISTEN/NOTIFY on
 *  the store's database (src/store/postgres/notifier.ts); null with SQLite. */
export async function openPostgresNotifier(config: Config, log: Logger): Promise<PgNotifier | null> {
  if (config.storage.backend !== "postgres") return null;
  return PgNotifier.open({
    url: postgresUrl(config),
    nodeId: nodeIdOf(config.cluster),
    connectTimeoutMs: config.storage.postgresConnectTimeoutMs,
    log,
  });
}
