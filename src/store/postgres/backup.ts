// The PostgreSQL store's part of `yubin backup` and `yubin restore` (src/backup/postgres.ts): the
// database's own tooling, pg_dump and pg_restore, over the one schema the store lives in. Bodies
// are in the database (blob_chunks), so the dump is the whole mail store.
// - Consistent with its counts: a REPEATABLE READ transaction exports its snapshot, the counts are
//   read in it and pg_dump runs on it (--snapshot), so the manifest's counts are the dump's. The
//   server keeps committing meanwhile (a snapshot takes no lock a writer waits for).
// - The password never reaches a command line (ps shows those): it goes to pg_dump and
//   pg_restore in PGPASSWORD, the URL without it.
// - Restore goes into an empty schema of the same name (the dump's statements name it): created
//   when missing, refused when it holds tables; in one transaction (--single-transaction), so a
//   failed restore leaves the schema empty.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type pg from "pg";
import { StoreError } from "../errors.js";
import { SCHEMA_VERSION } from "./schema.js";
import { connectTool as connect } from "./tool-client.js";

export { SCHEMA_VERSION };

export interface PgCounts {
  accounts: number;
  mailboxes: number;
  messages: number;
  blobs: number;
  queued: number;
}

export interface PgDumpResult {
  /** The schema dumped (the URL's search_path, or public). */
  schema: string;
  schemaVersion: number;
  counts: PgCounts;
  ms: number;
}

/** The URL without its password, and the password apart (for PGPASSWORD). */
function credentials(url: string): { url: string; env: NodeJS.ProcessEnv } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new StoreError("invalid", "storage.postgresUrl is not a URL");
  }
  const password = decodeURIComponent(u.password);
  u.password = "";
  return { url: u.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const why =
        (err as NodeJS.ErrnoException).code === "ENOENT" ? `${cmd} is not installed` : stderr.trim();
      reject(new StoreError("invalid", `${cmd} failed: ${why || err.message}`));
    }),
  );
}

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

async function readCounts(c: pg.Client): Promise<PgCounts> {
  const r = await c.query<Record<keyof PgCounts, string>>(
    `SELECT (SELECT count(*) FROM accounts) AS accounts, (SELECT count(*) FROM mailboxes) AS mailboxes,
            (SELECT count(*) FROM messages) AS messages, (SELECT count(*) FROM blobs) AS blobs,
            (SELECT count(*) FROM queue) AS queued`,
  );
  const row = r.rows[0]!;
  return {
    accounts: Number(row.accounts),
    mailboxes: Number(row.mailboxes),
    messages: Number(row.messages),
    blobs: Number(row.blobs),
    queued: Number(row.queued),
  };
}

/** pg_dump of the store's schema into `dest` (custom format), with the counts it holds. */
export async function dumpPostgres(opts: { url: string; dest: string }): Promise<PgDumpResult> {
  const started = performance.now();
  const c = await connect(opts.url);
  try {
    await c.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const schema = (await c.query<{ s: string | null }>("SELECT current_schema() AS s")).rows[0]?.s;
    if (!schema) throw new StoreError("invalid", "the PostgreSQL URL's search_path names no schema");
    const version = await c
      .query<{ version: number }>("SELECT version FROM schema_version")
      .catch(() => ({ rows: [] as { version: number }[] }));
    if (!version.rows[0]) throw new StoreError("not-found", `no Yubin store in schema ${schema}`);
    const snapshot = (await c.query<{ id: string }>("SELECT pg_export_snapshot() AS id")).rows[0]!.id;
    const counts = await readCounts(c);
    const { url, env } = credentials(opts.url);
    await run(
      "pg_dump",
      [
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        `--snapshot=${snapshot}`,
        `--schema=${quoteIdent(schema)}`,
        `--file=${opts.dest}`,
        `--dbname=${url}`,
      ],
      env,
    );
    await c.query("COMMIT");
    return { schema, schemaVersion: version.rows[0].version, counts, ms: performance.now() - started };
  } finally {
    await c.end().catch(() => {});
  }
}

/** pg_restore of a dump made by dumpPostgres into the URL's database, into an empty schema of
 *  the dump's name; the counts restored. */
export async function restorePostgres(opts: {
  url: string;
  file: string;
  schema: string;
}): Promise<PgCounts> {
  const c = await connect(opts.url);
  try {
    const current = (await c.query<{ s: string | null }>("SELECT current_schema() AS s")).rows[0]?.s;
    if (current !== null && current !== undefined && current !== opts.schema)
      throw new StoreError(
        "invalid",
        `the backup is of schema ${opts.schema}; the target URL's search_path names ${current}`,
      );
    await c.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(opts.schema)}`);
    const tables = await c.query<{ n: string }>(
      "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = $1",
      [opts.schema],
    );
    if (Number(tables.rows[0]?.n ?? 0) > 0)
      throw new StoreError(
        "invalid",
        `schema ${opts.schema} is not empty: restore only into a new database or an empty schema`,
      );
    const { url, env } = credentials(opts.url);
    // The dump's own CREATE SCHEMA is left out: the schema exists now (public always does).
    const list = (await run("pg_restore", ["--list", opts.file], env))
      .split("\n")
      .filter((l) => !/^\d+; \d+ \d+ SCHEMA /.test(l))
      .join("\n");
    const listFile = join(tmpdir(), `yubin-restore-${randomBytes(6).toString("hex")}.list`);
    await writeFile(listFile, list);
    try {
      await run(
        "pg_restore",
        [
          "--no-owner",
          "--no-privileges",
          "--exit-on-error",
          "--single-transaction",
          `--use-list=${listFile}`,
          `--dbname=${url}`,
          opts.file,
        ],
        env,
      );
    } finally {
      await unlink(listFile).catch(() => {});
    }
    await c.query(`SET search_path = ${quoteIdent(opts.schema)}`);
    return await readCounts(c);
  } finally {
    await c.end().catch(() => {});
  }
}
