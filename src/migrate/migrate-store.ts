// `yubin migrate-store` (issue 17): an embedded installation (the SQLite store of server.dataDir)
// copied into an empty PostgreSQL database with every id, UIDVALIDITY, UID, MODSEQ, flag, thread id
// and change-log seq as it was, so that a server switched to storage.backend = "postgres" serves the
// same mail to the same clients with nothing re-synchronised (IMAP QRESYNC state and JMAP states
// stay valid). Bodies keep their hashes; large ones leave the files under dataDir/blobs for
// PostgreSQL's chunks. Then both stores are compared through the Store interface (verify.ts).
//
// The SQL is in the store (sqlite/export-rows.ts reads, postgres/import-rows.ts writes); the map of
// tables and columns is store/migrate-tables.ts. The source must not change meanwhile: the copy is
// refused while a server process owns the data directory.
import { createHash } from "node:crypto";
import { StoreError } from "../store/errors.js";
import {
  COPIED_TABLES,
  isSqliteFullTextTable,
  POSTGRES_ONLY,
  POSTGRES_ONLY_COLUMNS,
  SQLITE_ONLY,
  SQLITE_ONLY_COLUMNS,
} from "../store/migrate-tables.js";
import { PgImport } from "../store/postgres/import-rows.js";
import { SqliteExport } from "../store/sqlite/export-rows.js";
import { storeOwner } from "../store/sqlite/owner.js";
import type { Store } from "../store/types.js";
import { type VerifyResult, verifyMigration } from "./verify.js";

export class MigrateError extends Error {}

export interface MigrateOptions {
  dataDir: string;
  /** postgres://… of the target database (its search_path's schema is the one filled). */
  url: string;
  /** Copy into a database a previous, interrupted run began; tables already whole are kept. */
  resume?: boolean;
  /** Only compare (no copy). */
  verifyOnly?: boolean;
  /** Rows read from SQLite at a time. */
  batchRows?: number;
  /** Bodies per PostgreSQL transaction, and their most octets. */
  bodyBatch?: number;
  bodyBatchBytes?: number;
  /** The PostgreSQL store's chunk size (storage: bodies over it are stored in chunks of it). */
  chunkBytes: number;
  /** Opens the source (SQLite) and the target (PostgreSQL, migrated to this Yubin's schema). */
  openSource(): Promise<Store>;
  openTarget(): Promise<Store>;
  progress(line: string): void;
}

const DEFAULT_BATCH_ROWS = 5_000;
const DEFAULT_BODY_BATCH = 200;
const DEFAULT_BODY_BATCH_BYTES = 64 * 1024 * 1024;
/** A progress line at least every this many rows of one table. */
const PROGRESS_ROWS = 100_000;

/** The tables of both schemas against the map: every table either copied or left out on purpose. */
export async function checkTableMap(src: SqliteExport, dst: PgImport): Promise<string[]> {
  const problems: string[] = [];
  const copied = new Map(COPIED_TABLES.map((t) => [t.name, t]));
  const sqliteTables = src.tables();
  const pgTables = await dst.tables();
  for (const name of sqliteTables) {
    if (isSqliteFullTextTable(name) || name in SQLITE_ONLY) continue;
    const spec = copied.get(name);
    if (!spec) {
      problems.push(`SQLite table ${name} is not in the migration map (src/store/migrate-tables.ts)`);
      continue;
    }
    const cols = src.columns(name).filter((c) => !(c in (SQLITE_ONLY_COLUMNS[name] ?? {})));
    if (cols.join(",") !== spec.columns.join(","))
      problems.push(
        `SQLite table ${name}: columns ${cols.join(" ")}, the map says ${spec.columns.join(" ")}`,
      );
  }
  for (const name of pgTables) {
    if (name in POSTGRES_ONLY) continue;
    const spec = copied.get(name);
    if (!spec) {
      problems.push(`PostgreSQL table ${name} is not in the migration map (src/store/migrate-tables.ts)`);
      continue;
    }
    const extra = new Set(POSTGRES_ONLY_COLUMNS[name] ?? []);
    const cols = (await dst.columns(name)).filter((c) => !extra.has(c));
    if (cols.join(",") !== spec.columns.join(","))
      problems.push(
        `PostgreSQL table ${name}: columns ${cols.join(" ")}, the map says ${spec.columns.join(" ")}`,
      );
  }
  for (const spec of COPIED_TABLES) {
    if (!sqliteTables.includes(spec.name))
      problems.push(`mapped table ${spec.name} is not in the SQLite store`);
    if (!pgTables.includes(spec.name))
      problems.push(`mapped table ${spec.name} is not in the PostgreSQL store`);
  }
  return problems;
}

/** Rows per copied table on both sides: every table the map copies, not only what verify reads. */
async function compareCounts(dataDir: string, url: string): Promise<string[]> {
  const src = new SqliteExport(dataDir);
  let dst: PgImport | undefined;
  try {
    dst = await PgImport.connect(url);
    const out: string[] = [];
    for (const spec of COPIED_TABLES) {
      const a = src.count(spec.name);
      const b = await dst.count(spec.name);
      if (a !== b) out.push(`table ${spec.name}: ${a} rows in SQLite, ${b} in PostgreSQL`);
    }
    return out;
  } finally {
    src.close();
    await dst?.close();
  }
}

export interface MigrateResult {
  verify: VerifyResult;
  tables: number;
  rows: number;
  bodies: number;
  bodyBytes: number;
}

export async function migrateStore(opts: MigrateOptions): Promise<MigrateResult> {
  const owner = storeOwner(opts.dataDir);
  if (owner !== null)
    throw new MigrateError(
      `a server (pid ${owner}) is using ${opts.dataDir}: stop it first, so that nothing changes during the copy`,
    );
  let tables = 0;
  let rows = 0;
  let bodies = 0;
  let bodyBytes = 0;
  if (!opts.verifyOnly) {
    // The source first (its schema version checked), then whether the copy may turn triggers off,
    // before anything is created in the target.
    const src = new SqliteExport(opts.dataDir);
    let dst: PgImport | undefined;
    try {
      dst = await PgImport.connect(opts.url);
      if (!(await dst.canDisableTriggers()))
        throw new MigrateError(
          "the PostgreSQL user may not SET session_replication_role = replica, which the copy needs (triggers off, so counters and change logs are copied as they are): run it as a superuser, or grant it (PostgreSQL 15+: GRANT SET ON PARAMETER session_replication_role TO the user)",
        );
      // The target's schema, made (or checked) as the server would make it.
      await (await opts.openTarget()).close();
      const problems = await checkTableMap(src, dst);
      if (problems.length > 0)
        throw new MigrateError(`the schemas do not match the migration map:\n  ${problems.join("\n  ")}`);
      const counts = new Map<string, number>();
      let filled = 0;
      for (const spec of COPIED_TABLES) {
        const n = await dst.count(spec.name);
        counts.set(spec.name, n);
        if (!spec.seeded) filled += n;
      }
      filled += await dst.count("blob_chunks");
      if (filled > 0 && !opts.resume)
        throw new MigrateError(
          "the PostgreSQL database is not empty: migrate into a new database (or schema), or pass --resume to continue an interrupted copy",
        );
      const batch = opts.batchRows ?? DEFAULT_BATCH_ROWS;
      for (const spec of COPIED_TABLES) {
        const want = src.count(spec.name);
        const have = counts.get(spec.name) ?? 0;
        if (opts.resume && have > 0 && !spec.seeded) {
          if (have !== want)
            throw new MigrateError(
              `--resume: table ${spec.name} has ${have} rows in PostgreSQL, ${want} in SQLite`,
            );
          opts.progress(`${spec.name}: ${want} rows already copied`);
          tables++;
          continue;
        }
        let shown = 0;
        const n = await dst.copyTable(spec, src.rows(spec, batch), (done) => {
          if (done - shown < PROGRESS_ROWS) return;
          shown = done;
          opts.progress(`${spec.name}: ${done} of ${want} rows`);
        });
        if (n !== want) throw new MigrateError(`table ${spec.name}: read ${n} rows, SQLite counts ${want}`);
        opts.progress(`${spec.name}: ${n} rows`);
        tables++;
        rows += n;
      }
      // Bodies: each checked against its hash as it is read, so a damaged file is not carried over.
      const maxBodies = opts.bodyBatch ?? DEFAULT_BODY_BATCH;
      const maxBytes = opts.bodyBatchBytes ?? DEFAULT_BODY_BATCH_BYTES;
      let pending: { id: bigint; body: Buffer }[] = [];
      let pendingBytes = 0;
      const flush = async () => {
        if (pending.length === 0) return;
        await dst!.copyBodies(pending, opts.chunkBytes);
        bodies += pending.length;
        opts.progress(`bodies: ${bodies} (${bodyBytes} octets)`);
        pending = [];
        pendingBytes = 0;
      };
      for (const blobs of src.blobs(Math.max(1, maxBodies))) {
        for (const b of blobs) {
          let body: Buffer;
          try {
            body = src.body(b);
          } catch (e) {
            throw new MigrateError(`body ${b.hash}: cannot read it (${(e as Error).message})`);
          }
          const got = createHash("sha256").update(body).digest("hex");
          if (got !== b.hash || BigInt(body.length) !== b.size)
            throw new MigrateError(
              `body ${b.hash} is damaged in the SQLite store (SHA-256 ${got}, ${body.length} octets): run \`yubin verify\``,
            );
          pending.push({ id: b.id, body });
          pendingBytes += body.length;
          bodyBytes += body.length;
          if (pending.length >= maxBodies || pendingBytes >= maxBytes) await flush();
        }
      }
      await flush();
      await dst.finish(src.sequences());
      opts.progress("identity sequences set; full-text index to be rebuilt by the server");
    } finally {
      src.close();
      await dst?.close();
    }
  }
  const from = await opts.openSource();
  try {
    const to = await opts.openTarget();
    try {
      const verify = await verifyMigration(from, to, { progress: opts.progress });
      const counts = await compareCounts(opts.dataDir, opts.url);
      verify.differences.unshift(...counts);
      return { verify, tables, rows, bodies, bodyBytes };
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
}

export { StoreError };
