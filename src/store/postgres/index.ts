// The PostgreSQL store (issue 17): every store interface on one PostgreSQL database, for several
// nodes sharing one store. Metadata and bodies are in the database (bodies content-addressed as in
// the SQLite store, chunked when large), so a node needs no shared filesystem. See schema.ts for
// the migrations, db.ts for transactions, retries and "the database went away".
import { type Logger, silentLogger } from "../../log/logger.js";
import { parseStructure } from "../../mime/parse.js";
import type { MessageStructure } from "../../mime/types.js";
import type { ChangeNotifier } from "../notifier.js";
import { parseOrMinimal } from "../shared/fallback-parse.js";
import type { FullTextBudget } from "../shared/fulltext-budget.js";
import type { MailStore, Store } from "../types.js";
import { createAppPasswords } from "./app-passwords.js";
import { PgCtx } from "./context.js";
import { PgDb } from "./db.js";
import { createDirectory } from "./directory.js";
import { createGreylist } from "./greylist.js";
import { createImports } from "./imports.js";
import { createMailOps } from "./mail.js";
import { createQueue } from "./queue.js";
import { createReportSending } from "./report-sending.js";
import { createReports } from "./reports.js";
import { migrate } from "./schema.js";
import { createSearchOps } from "./search.js";
import { createSecondFactors } from "./second-factor.js";
import { createSending } from "./sending.js";
import { createSettings } from "./settings.js";
import { createSieve } from "./sieve.js";
import { createSpam } from "./spam.js";
import { createStats } from "./stats.js";
import { createWebSessions } from "./web-sessions.js";

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database (libpq's URL form; ?options=-c search_path=… works). */
  url: string;
  notifier: ChangeNotifier;
  /** Most connections this process holds (default 20). */
  poolSize?: number;
  /** How long a call waits for a connection before failing as "unavailable" (default 5,000 ms). */
  connectTimeoutMs?: number;
  /** Times a statement or transaction is sent in all when it meets a deadlock or serialization
   *  failure (default 8; db.ts). */
  retryAttempts?: number;
  log?: Logger;
  parse?: (body: Buffer) => MessageStructure;
  mailboxNameMaxBytes?: number;
  /** Bodies over this size are stored in chunks of it (default 1 MiB). */
  chunkBytes?: number;
  fullTextMaxBytes?: number;
  fullTextMaxWords?: number;
  /** What one body and one transaction of the full-text indexer may add (shared/fulltext-budget.ts). */
  fullTextBudget?: Partial<FullTextBudget>;
  /** Whether this process runs the full-text indexer (default true; CLI commands: false). */
  fullTextIndexer?: boolean;
  /** How often a store with login-change listeners reads the feed besides its NOTIFY (default
   *  1,000 ms; web-sessions.ts). */
  loginChangePollMs?: number;
}

export const DEFAULT_CHUNK_BYTES = 1024 * 1024;

/** The store, with the full-text indexer's catch-up (tests, benchmarks) as the SQLite store has it. */
export type PostgresStore = Store & { readonly fullText: { catchUp(): Promise<void> } };

export async function openPostgresStore(opts: PostgresStoreOptions): Promise<PostgresStore> {
  const log = opts.log ?? silentLogger;
  const parse = parseOrMinimal(opts.parse ?? parseStructure, log);
  const db = new PgDb({
    url: opts.url,
    poolSize: opts.poolSize,
    connectTimeoutMs: opts.connectTimeoutMs,
    retryAttempts: opts.retryAttempts,
    log,
  });
  try {
    await migrate(db);
  } catch (e) {
    await db.close();
    throw e;
  }
  const ctx = new PgCtx(db, opts.notifier, log, parse, {
    mailboxNameMaxBytes: opts.mailboxNameMaxBytes ?? 1024,
    chunkBytes: opts.chunkBytes ?? DEFAULT_CHUNK_BYTES,
    fullTextMaxBytes: opts.fullTextMaxBytes ?? 1024 * 1024,
    fullTextMaxWords: opts.fullTextMaxWords ?? 2000,
  });
  const search = createSearchOps(ctx, { indexer: opts.fullTextIndexer, fullTextBudget: opts.fullTextBudget });
  const mail: MailStore = { ...createMailOps(ctx), ...bind(search) };
  const webSessions = createWebSessions(ctx, { pollMs: opts.loginChangePollMs });
  let closing: Promise<void> | null = null;
  return {
    directory: createDirectory(ctx),
    mail,
    queue: createQueue(ctx),
    settings: createSettings(ctx),
    sending: createSending(ctx),
    greylist: createGreylist(ctx),
    spam: createSpam(ctx),
    appPasswords: createAppPasswords(ctx),
    secondFactors: createSecondFactors(ctx),
    webSessions,
    fullText: { catchUp: () => search.catchUp() },
    sieve: createSieve(ctx),
    imports: createImports(ctx),
    reports: createReports(ctx),
    statistics: createStats(ctx),
    reportSending: createReportSending(ctx),
    close() {
      closing ??= (async () => {
        webSessions.stop();
        await search.stop();
        ctx.closed = true;
        await db.close();
      })();
      return closing;
    },
  };
}

/** The search ops as plain own properties (spread copies only own enumerable ones). */
function bind(
  s: ReturnType<typeof createSearchOps>,
): Pick<MailStore, "searchHeader" | "listEnvelopes" | "searchText" | "matchText"> {
  return {
    searchHeader: (...a) => s.searchHeader(...a),
    listEnvelopes: (...a) => s.listEnvelopes(...a),
    searchText: (...a) => s.searchText(...a),
    matchText: (...a) => s.matchText(...a),
  };
}
