// The embedded SQLite store: one database file (WAL) for metadata and small bodies, one file per
// large body under blobs/. See schema.ts for the tables, writer.ts for group commit, blobs.ts for
// the body files and their crash safety.
import { join } from "node:path";
import { type Logger, silentLogger } from "../../log/logger.js";
import { parseStructure } from "../../mime/parse.js";
import type { MessageStructure } from "../../mime/types.js";
import type { ChangeNotifier } from "../notifier.js";
import { parseOrMinimal } from "../shared/fallback-parse.js";
import type { FullTextBudget } from "../shared/fulltext-budget.js";
import { listNewByParts, selectByParts } from "../shared/select-mailbox.js";
import type { MailStore, Store } from "../types.js";
import { createAppPasswords } from "./app-passwords.js";
import { Blobs } from "./blobs.js";
import { createChangeOps } from "./changes.js";
import { Checkpointer } from "./checkpointer.js";
import { Ctx } from "./context.js";
import { type Db, openDatabase } from "./db.js";
import { createDirectory } from "./directory.js";
import { makePrivateDir, warnIfShared } from "./file-modes.js";
import { createFlagListOps } from "./flag-list.js";
import { watchForeignWrites } from "./foreign-writes.js";
import {
  createFullTextOps,
  DEFAULT_FULL_TEXT_BATCH,
  DEFAULT_FULL_TEXT_MAX_BYTES,
  DEFAULT_FULL_TEXT_MAX_WORDS,
} from "./fulltext.js";
import { createGreylist } from "./greylist.js";
import { createHeaderIndexOps, DEFAULT_HEADER_INDEX_BATCH } from "./header-index.js";
import { createImports } from "./imports.js";
import { createListingOps } from "./listing.js";
import { createMailboxOps, MailboxRows } from "./mailboxes.js";
import { createMessageOps } from "./messages.js";
import { claimOwnership } from "./owner.js";
import { createQueue } from "./queue.js";
import { createRecentOps } from "./recent.js";
import { createReportSending } from "./report-sending.js";
import { createReports } from "./reports.js";
import { migrate } from "./schema.js";
import { createSecondFactors } from "./second-factor.js";
import { createSending } from "./sending.js";
import { createSettings } from "./settings.js";
import { createSieve } from "./sieve.js";
import { createSpam } from "./spam.js";
import { createStats } from "./stats.js";
import { WalSync } from "./wal-sync.js";
import { createWebSessions } from "./web-sessions.js";
import { GroupCommitWriter } from "./writer.js";

export interface SqliteStoreOptions {
  dataDir: string;
  notifier: ChangeNotifier;
  inlineMaxBytes?: number; // default 65536
  groupCommitMaxBatch?: number; // default 256
  log?: Logger;
  parse?: (body: Buffer) => MessageStructure;
  /** Longest mailbox name accepted, in UTF-8 octets (default 1024). */
  mailboxNameMaxBytes?: number;
  /** Bodies indexed per write when SEARCH/SORT first index a mailbox's headers (default 500). */
  headerIndexBatch?: number;
  /** Least time between WAL checkpoints on the checkpoint thread; 0: SQLite's own, in COMMIT
   *  (default 200). */
  checkpointIntervalMs?: number;
  /** Octets of the database file read through a memory map (db.ts; default 256 MiB); 0: none. */
  mmapBytes?: number;
  /** Messages whose UID/MODSEQ/flags are kept in memory for IMAP's reads (flag-cache.ts); 0: none
   *  (default 500,000). */
  flagCacheMessages?: number;
  /** Bodies indexed per write by the full-text indexer (default 200). */
  fullTextBatch?: number;
  /** Octets of encoded text indexed per message; 0: all (default 1 MiB). Longer messages are
   *  still found: their rest is searched by scan. */
  fullTextMaxBytes?: number;
  /** Vocabulary words one search needle may stand for in the full-text index (default 2,000);
   *  beyond, that search reads every message. */
  fullTextMaxWords?: number;
  /** What one body and one write of the full-text indexer may add (shared/fulltext-budget.ts):
   *  new vocabulary words per body (beyond, it is read at each search), text and new words per
   *  write. */
  fullTextBudget?: Partial<FullTextBudget>;
  /** How often mail changed by another process (yubin import) is looked for, to tell this
   *  process's listeners (foreign-writes.ts); 0: never (the default; the server sets it). */
  externalChangePollMs?: number;
  /** Whether this process runs the full-text indexer (default true). A CLI process leaves what
   *  it files (an import) to the server's indexer, which hears of it through the foreign-write
   *  poll, or indexes it at its next start; searches meanwhile scan what is pending. */
  fullTextIndexer?: boolean;
  /** How often another process's login changes (a disable, a password reset) are looked for,
   *  while anything listens (web-sessions.ts); 0: never (default 1000). */
  loginChangePollMs?: number;
  /** Each group commit's durations, in seconds (the server's /metrics; writer.ts). */
  onCommit?: (seconds: number, fsyncSeconds: number) => void;
}

export const DEFAULT_INLINE_MAX_BYTES = 65536;
export const DEFAULT_GROUP_COMMIT_MAX_BATCH = 256;
export const DEFAULT_MAILBOX_NAME_MAX_BYTES = 1024;
export const DATABASE_FILE = "yubin.sqlite";
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 200;
export const DEFAULT_FLAG_CACHE_MESSAGES = 500_000;
const CHECKPOINT_BUSY_TIMEOUT_MS = 1000;

/** A Store with the extras tests and the benchmark look at. */
export interface SqliteStore extends Store {
  /** Group-commit counters: batches committed and jobs in them. */
  readonly stats: { batches: number; jobs: number };
  /** The full-text indexer: catchUp() indexes everything pending before it resolves. */
  readonly fullText: { catchUp(): Promise<void> };
}

export async function openSqliteStore(opts: SqliteStoreOptions): Promise<SqliteStore> {
  const log = opts.log ?? silentLogger;
  const inlineMaxBytes = opts.inlineMaxBytes ?? DEFAULT_INLINE_MAX_BYTES;
  const maxBatch = Math.max(1, Math.floor(opts.groupCommitMaxBatch ?? DEFAULT_GROUP_COMMIT_MAX_BATCH));
  const parse = parseOrMinimal(opts.parse ?? parseStructure, log);

  makePrivateDir(opts.dataDir);
  const ownership = claimOwnership(opts.dataDir);
  let db: Db | undefined;
  try {
    const dbPath = join(opts.dataDir, DATABASE_FILE);
    db = openDatabase({ path: dbPath, mmapBytes: opts.mmapBytes });
    migrate(db);
    warnIfShared([opts.dataDir, dbPath, `${dbPath}-wal`, `${dbPath}-shm`], log);
    const blobs = new Blobs(db, opts.dataDir, inlineMaxBytes, parse, log);
    if (ownership.owner) blobs.sweepOrphans();
    const ctx = new Ctx(db, blobs, opts.notifier, log, {
      mailboxNameMaxBytes: opts.mailboxNameMaxBytes ?? DEFAULT_MAILBOX_NAME_MAX_BYTES,
    });
    const wal = new WalSync(db, `${join(opts.dataDir, DATABASE_FILE)}-wal`);
    const checkpointMs = opts.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
    const checkpointer =
      checkpointMs > 0
        ? new Checkpointer({
            db,
            dbPath: join(opts.dataDir, DATABASE_FILE),
            intervalMs: checkpointMs,
            // The writer waits for each checkpoint: a RESTART that other processes hold up gives
            // up after this long rather than stall every write for the full busy timeout.
            busyTimeoutMs: CHECKPOINT_BUSY_TIMEOUT_MS,
            log,
          })
        : undefined;
    ctx.writer = new GroupCommitWriter(db, {
      maxBatch,
      log,
      afterCommit: (events) => ctx.afterCommit(events),
      committed: (events) => ctx.onOwnCommit?.(events),
      wal,
      checkpoint: checkpointer,
      onCommit: opts.onCommit,
    });
    const rows = new MailboxRows(ctx);
    const fullText = createFullTextOps(ctx, rows, {
      batch: opts.fullTextBatch ?? DEFAULT_FULL_TEXT_BATCH,
      maxBytes: opts.fullTextMaxBytes ?? DEFAULT_FULL_TEXT_MAX_BYTES,
      maxWords: opts.fullTextMaxWords ?? DEFAULT_FULL_TEXT_MAX_WORDS,
      budget: opts.fullTextBudget,
    });
    const mail: MailStore = {
      ...createMailboxOps(ctx, rows),
      ...createMessageOps(ctx, rows),
      ...createFlagListOps(ctx, rows, opts.flagCacheMessages ?? DEFAULT_FLAG_CACHE_MESSAGES),
      ...createHeaderIndexOps(ctx, rows, opts.headerIndexBatch ?? DEFAULT_HEADER_INDEX_BATCH),
      ...createChangeOps(ctx),
      ...createListingOps(ctx),
      ...createRecentOps(ctx, rows),
      ...fullText.ops,
      selectMailbox: (accountId, name, o) => selectByParts(mail, accountId, name, o),
      listNew: (mailboxId, o) => listNewByParts(mail, mailboxId, o),
    };
    const indexer = opts.fullTextIndexer ?? true;
    if (indexer) {
      ctx.onCommit = fullText.schedule;
      fullText.schedule(); // mail stored before the index existed (migration v14), or before a crash
    }
    const foreign = watchForeignWrites(ctx, mail, {
      pollMs: opts.externalChangePollMs ?? 0,
      onForeignCommit: indexer ? fullText.schedule : undefined,
    });
    const webSessions = createWebSessions(ctx, { pollMs: opts.loginChangePollMs ?? 1000 });
    const openDb = db;
    let closing: Promise<void> | null = null;
    return {
      directory: createDirectory(ctx),
      mail,
      queue: createQueue(ctx),
      settings: createSettings(ctx),
      greylist: createGreylist(ctx),
      sending: createSending(ctx),
      spam: createSpam(ctx),
      appPasswords: createAppPasswords(ctx),
      secondFactors: createSecondFactors(ctx),
      webSessions,
      sieve: createSieve(ctx),
      imports: createImports(ctx, rows, mail),
      reports: createReports(ctx),
      reportSending: createReportSending(ctx),
      statistics: createStats(ctx),
      stats: ctx.writer.stats,
      fullText: { catchUp: fullText.catchUp },
      close() {
        closing ??= (async () => {
          foreign.stop();
          webSessions.stop();
          await fullText.stop();
          await ctx.writer.idle();
          await wal.close();
          await checkpointer?.stop();
          ctx.closed = true;
          try {
            openDb.pragma("wal_checkpoint(TRUNCATE)");
          } catch (error) {
            log.warn("checkpoint at close failed", { error });
          }
          openDb.close();
          ownership.release();
        })();
        return closing;
      },
    };
  } catch (e) {
    db?.close();
    ownership.release();
    throw e;
  }
}
