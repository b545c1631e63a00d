// The PostgreSQL connection pool every part of the PostgreSQL store shares (issue 17), on `pg`
// (node-postgres). What it adds to the driver:
// - int8 (BIGINT, COUNT(*)) read as JavaScript numbers: ids, UIDs, MODSEQs, octet counts and epoch
//   milliseconds all stay far below 2^53, and every caller would otherwise convert strings;
// - tx(): one transaction (READ COMMITTED) retried on a serialization failure or deadlock, so
//   concurrent writers on several nodes (two deliveries into one mailbox, two queue claims) need
//   no retry loop of their own; rows()/one()/run() retry their autocommit statement the same way
//   (a statement that failed so was rolled back whole, so sending it again is safe: file_delivery,
//   EXPUNGE and the compare-and-set STOREs are such statements and can meet the indexer or another
//   node's writer);
// - the database being unreachable, or going away in the middle of a call, becomes one typed
//   error (StoreUnavailableError, code "unavailable") that the protocols answer as temporary
//   (SMTP 451, IMAP NO [UNAVAILABLE]); the pool reconnects by itself for the next call. An idle
//   connection's error is logged, never thrown: unhandled, it would end the process.
import { createHash } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import pg from "pg";
import type { Logger } from "../../log/logger.js";
import { StoreError, StoreUnavailableError } from "../errors.js";

/** What a query runs on: the pool (autocommit) or a transaction's client. */
export interface Queryable {
  query<R extends pg.QueryResultRow = Record<string, unknown>>(
    text: string | pg.QueryConfig,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

/** A transaction's client, with the same helpers as the pool. */
export interface Tx {
  /** Rows of a statement. */
  rows<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** The first row, or null. */
  one<R extends pg.QueryResultRow = Record<string, unknown>>(
    text: string,
    params?: unknown[],
  ): Promise<R | null>;
  /** Rows affected. */
  run(text: string, params?: unknown[]): Promise<number>;
}

export interface PgDbOptions {
  url: string;
  /** Most connections this process holds (default 20). */
  poolSize?: number;
  /** How long a call waits for a connection before it is "unavailable" (default 5,000 ms). */
  connectTimeoutMs?: number;
  log: Logger;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
  /** Times a transaction or autocommit statement is sent in all when it fails with a deadlock or
   *  serialization failure (default 8; 1: never again). */
  retryAttempts?: number;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

/** SQLSTATEs worth running the whole transaction (or autocommit statement) again for:
 *  serialization failure and deadlock, after which PostgreSQL has rolled it back whole. */
const RETRY_CODES = new Set(["40001", "40P01"]);
const DEFAULT_RETRY_ATTEMPTS = 8;
/** The longest pause before an attempt (ms): 2^attempt ms, capped here, jittered over [0, that),
 *  so the losers of one deadlock do not meet again in step. */
const MAX_BACKOFF_MS = 100;

/** Whether a failed attempt is worth another (and there is one left). */
function retryable(e: unknown, attempt: number, attempts: number): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" && RETRY_CODES.has(code) && attempt < attempts;
}

/** The pause after failed attempt `attempt` (1-based), jittered. */
function backoff(attempt: number): Promise<void> {
  return delay(Math.random() * Math.min(MAX_BACKOFF_MS, 2 ** attempt));
}

/** Driver and server errors that mean "the database is not there" rather than "your SQL is wrong". */
function isUnavailable(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: string }).code;
  if (typeof code === "string") {
    // Class 08: connection exception; 57P01-57P03: admin/crash shutdown, cannot connect now;
    // 53300: too many connections.
    if (code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03" || code === "53300")
      return true;
    if (code === "ECONNREFUSED" || code === "ECONNRESET" || code === "ETIMEDOUT" || code === "EPIPE")
      return true;
    if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EHOSTUNREACH") return true;
  }
  const m = e.message;
  return (
    m.includes("Connection terminated") ||
    m.includes("timeout exceeded when trying to connect") ||
    m.includes("Client has encountered a connection error") ||
    m.includes("Connection ended unexpectedly")
  );
}

/** A thrown error as the store's callers expect it: StoreErrors as they are, "the database is
 *  not there" as StoreUnavailableError, anything else (a bug in our SQL) unchanged. */
export function storeError(e: unknown): unknown {
  if (e instanceof StoreError) return e;
  if (isUnavailable(e)) return new StoreUnavailableError(`database unavailable: ${(e as Error).message}`, e);
  return e;
}

/** At most this many distinct statement texts are prepared (named); later ones go unnamed, so a
 *  connection's prepared statements (and the server's memory for them) stay bounded however many
 *  texts the code builds. The store's texts are constants or come from a few variants: a few
 *  hundred at most. */
const PREPARED_MAX = 500;
const preparedNames = new Map<string, string>();
const PREPARABLE = /^\s*(?:SELECT|INSERT|UPDATE|DELETE|WITH)\b/i;

/**
 * The query to send for `text`: a named (prepared) statement when it has parameters and is a
 * plain DML statement. An unnamed statement is parsed and planned by PostgreSQL at every call;
 * a named one is parsed once per connection (node-postgres remembers which it has sent on each)
 * and its plan may be cached (PostgreSQL's plan cache chooses a generic plan only when it costs
 * no more than the custom ones): less PostgreSQL CPU per call (docs/ARCHITECTURE.md, PostgreSQL
 * store, has the measures). The name is a hash of the text, so two texts never share one
 * (node-postgres refuses a name reused with another text).
 */
function statement(text: string, params?: unknown[]): string | pg.QueryConfig {
  if (!params || params.length === 0) return text;
  let name = preparedNames.get(text);
  if (name === undefined) {
    if (preparedNames.size >= PREPARED_MAX || !PREPARABLE.test(text)) return { text, values: params };
    name = `y${createHash("sha1").update(text).digest("base64url")}`;
    preparedNames.set(text, name);
  }
  return { name, text, values: params };
}

function send<R extends pg.QueryResultRow>(
  q: Queryable,
  text: string,
  params?: unknown[],
): Promise<pg.QueryResult<R>> {
  const s = statement(text, params);
  return typeof s === "string" ? q.query<R>(s, params) : q.query<R>(s);
}

function helpers(q: Queryable): Tx {
  return {
    async rows<R extends pg.QueryResultRow>(text: string, params?: unknown[]) {
      return (await send<R>(q, text, params)).rows;
    },
    async one<R extends pg.QueryResultRow>(text: string, params?: unknown[]) {
      return (await send<R>(q, text, params)).rows[0] ?? null;
    },
    async run(text, params) {
      return (await send(q, text, params)).rowCount ?? 0;
    },
  };
}

export class PgDb implements Tx {
  readonly pool: pg.Pool;
  private readonly log: Logger;
  private readonly attempts: number;
  private closed = false;

  constructor(opts: PgDbOptions) {
    this.log = opts.log;
    this.attempts = Math.max(1, Math.floor(opts.retryAttempts ?? DEFAULT_RETRY_ATTEMPTS));
    this.pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.poolSize ?? 20,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 5_000,
      idleTimeoutMillis: 30_000,
      application_name: opts.applicationName ?? "yubin",
      types,
    });
    // An idle client whose server went away emits here; unhandled, the process would end.
    this.pool.on("error", (error) =>
      this.log.warn("database connection lost; reconnecting at the next call", { error }),
    );
  }

  /** One autocommit statement, sent again (bounded, jittered backoff) when PostgreSQL rolled it
   *  back for a deadlock or serialization failure: a contract run saw the full-text indexer's
   *  transaction and an EXPUNGE statement deadlock, and the statement then failed the IMAP
   *  command. `text` must be one statement (or several in one implicit transaction), never
   *  BEGIN/COMMIT of its own. */
  private async autocommit<R extends pg.QueryResultRow>(
    text: string,
    params: unknown[] | undefined,
  ): Promise<pg.QueryResult<R>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send<R>(this.pool, text, params);
      } catch (e) {
        if (!retryable(e, attempt, this.attempts)) throw storeError(e);
      }
      await backoff(attempt);
    }
  }

  async rows<R extends pg.QueryResultRow = Record<string, unknown>>(
    text: string,
    params?: unknown[],
  ): Promise<R[]> {
    return (await this.autocommit<R>(text, params)).rows;
  }

  async one<R extends pg.QueryResultRow = Record<string, unknown>>(
    text: string,
    params?: unknown[],
  ): Promise<R | null> {
    return (await this.rows<R>(text, params))[0] ?? null;
  }

  async run(text: string, params?: unknown[]): Promise<number> {
    return (await this.autocommit(text, params)).rowCount ?? 0;
  }

  /**
   * `fn` in one transaction, committed when it returns; rolled back when it throws (the error
   * goes on, as storeError() shapes it). Run again from the start on a serialization failure or
   * deadlock (at most `retryAttempts` times in all, after a jittered pause), so `fn` must not
   * have effects outside the database.
   */
  async tx<T>(
    fn: (t: Tx) => Promise<T>,
    opts: { isolation?: "serializable" | "repeatable read" } = {},
  ): Promise<T> {
    if (this.closed) throw new StoreError("invalid", "store is closed");
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) await backoff(attempt - 1);
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (e) {
        throw storeError(e);
      }
      let broken = false;
      // A checked-out client has no listener of the pool's: a connection lost between two
      // queries of the transaction (the server killed: "terminating connection due to
      // unexpected postmaster exit") is an 'error' event on it, which unheard would end the
      // process. Heard here, the next query fails and the transaction with it, as unavailable.
      const onError = () => {
        broken = true;
      };
      client.on("error", onError);
      try {
        await client.query(
          opts.isolation ? `BEGIN ISOLATION LEVEL ${opts.isolation.toUpperCase()}` : "BEGIN",
        );
        const value = await fn(helpers(client));
        await client.query("COMMIT");
        return value;
      } catch (e) {
        try {
          await client.query("ROLLBACK");
        } catch {
          broken = true; // the connection is gone: do not give it back to the pool
        }
        if (retryable(e, attempt, this.attempts)) continue;
        if (isUnavailable(e)) broken = true;
        throw storeError(e);
      } finally {
        // A broken client keeps the listener: it may still report while the pool ends it.
        if (!broken) client.off("error", onError);
        client.release(broken);
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
