// `yubin backup`, `restore` and `verify` with storage.backend = "postgres". The mail store
// (bodies included, in blob_chunks) is one pg_dump of its schema on a snapshot the counts were
// read in (store/postgres/backup.ts); the data directory's other files (keys, DKIM, TLS, Sieve),
// the config file and what it names elsewhere are kept as for SQLite (backup.ts), under the same
// manifest (backend "postgres"), committed the same way (run-<stamp>/, then the manifest renamed
// over the old one, then the previous run removed). No --since: a dump is whole each time.
// Restore checks the dump's hash, restores into an empty schema of the dump's name (a new
// database, or an empty schema) in one transaction, compares the counts with the manifest's,
// runs verify's checks on what it restored, and only then moves the files into the new data
// directory.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, rename, rm, rmdir, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { dumpPostgres, restorePostgres, SCHEMA_VERSION } from "../store/postgres/backup.js";
import { verifyPostgresStore } from "../store/postgres/verify.js";
import type { VerifyProblem } from "../store/sqlite/verify.js";
import { type BackupOptions, copyInstallationFiles, inside, lockDir } from "./backup.js";
import { BackupError, copyChecked, ensureDir, fsyncPath, sha256File } from "./files.js";
import { MANIFEST_FORMAT, MANIFEST_VERSION, type Manifest, readManifest, writeManifest } from "./manifest.js";
import { restoreOutsideFiles } from "./restore.js";

export const DUMP_FILE = "database.pgdump";

export interface PostgresBackupSummary {
  dest: string;
  schema: string;
  counts: Manifest["counts"];
  database: { size: number; dumpMs: number };
  files: number;
  ms: number;
}

export async function backupPostgresInstallation(
  opts: Omit<BackupOptions, "since" | "copy" | "hooks" | "concurrency"> & { url: string },
): Promise<PostgresBackupSummary> {
  const started = performance.now();
  const dataDir = resolve(opts.dataDir);
  const dest = resolve(opts.dest);
  if (inside(dest, dataDir) || inside(dataDir, dest))
    throw new BackupError("the backup directory and the data directory must not contain each other");
  const previous = existsSync(join(dest, "manifest.json")) ? await readManifest(dest) : null;
  if (previous && previous.backend !== "postgres")
    throw new BackupError(`${dest} is a backup of the ${previous.backend} store`);
  if (!previous && existsSync(dest) && (await readdir(dest)).length > 0)
    throw new BackupError(`${dest} is neither empty nor a backup`);
  await ensureDir(dest);
  const release = await lockDir(dest);
  try {
    const run = `run-${new Date().toISOString().replace(/[:.]/g, "")}-${randomBytes(3).toString("hex")}`;
    const runDir = join(dest, run);
    await ensureDir(runDir);
    const dumpPath = join(runDir, DUMP_FILE);
    const dump = await dumpPostgres({ url: opts.url, dest: dumpPath });
    await fsyncPath(dumpPath);
    const { files, config, external } = await copyInstallationFiles(opts, { dataDir, run, runDir });
    const size = (await stat(dumpPath)).size;
    const counts = { ...dump.counts, fileBlobs: 0, fileBlobBytes: 0 };
    await writeManifest(dest, {
      format: MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      backend: "postgres",
      postgres: { schema: dump.schema },
      createdAt: new Date().toISOString(),
      schemaVersion: dump.schemaVersion,
      dataDir,
      run,
      database: { file: `${run}/${DUMP_FILE}`, size, sha256: await sha256File(dumpPath) },
      counts,
      files,
      config,
      external,
      missingBodies: [],
    });
    const oldRun = previous?.run;
    if (oldRun && oldRun !== run && /^run-[0-9A-Za-z-]+$/.test(oldRun))
      await rm(join(dest, oldRun), { recursive: true, force: true });
    return {
      dest,
      schema: dump.schema,
      counts,
      database: { size, dumpMs: dump.ms },
      files: files.length,
      ms: performance.now() - started,
    };
  } finally {
    await release();
  }
}

export interface PostgresRestoreSummary {
  dataDir: string;
  manifest: Manifest;
  files: number;
  config: { written: string } | { skipped: string } | null;
  external: { written: string[]; kept: string[] };
  /** Problems the backed-up database already had (wrong counters; not bodies: those fail). */
  warnings: VerifyProblem[];
  ms: number;
}

export async function restorePostgresInstallation(opts: {
  from: string;
  dataDir: string;
  url: string;
  configPath?: string;
}): Promise<PostgresRestoreSummary> {
  const started = performance.now();
  const from = resolve(opts.from);
  const target = resolve(opts.dataDir);
  const m = await readManifest(from);
  if (m.backend !== "postgres" || !m.postgres)
    throw new BackupError(
      `this is a backup of the ${m.backend} store: restore it with storage.backend = "${m.backend}"`,
    );
  if (m.schemaVersion > SCHEMA_VERSION)
    throw new BackupError(
      `the backup's schema version ${m.schemaVersion} is newer than this program's (${SCHEMA_VERSION})`,
    );
  if (existsSync(target) && (await readdir(target)).length > 0)
    throw new BackupError(`${target} is not empty: restore only into a new or empty data directory`);
  const dump = join(from, m.database.file);
  if ((await sha256File(dump).catch(() => null)) !== m.database.sha256)
    throw new BackupError(
      `${m.database.file} is missing or does not match the manifest's hash: the backup is damaged`,
    );

  const stage = join(dirname(target), `.${basename(target)}.restore-${randomBytes(4).toString("hex")}`);
  await ensureDir(stage);
  try {
    const filesPrefix = `${m.run}/files/`;
    for (const f of m.files) {
      if (!f.path.startsWith(filesPrefix)) continue;
      const rel = f.path.slice(filesPrefix.length).split("/");
      await ensureDir(join(stage, ...rel.slice(0, -1)));
      if (!(await copyChecked(join(from, f.path), join(stage, ...rel), f.sha256)))
        throw new BackupError(`the backup lacks ${f.path}`);
    }
    const restored = await restorePostgres({ url: opts.url, file: dump, schema: m.postgres.schema });
    for (const k of ["accounts", "mailboxes", "messages", "blobs", "queued"] as const)
      if (restored[k] !== m.counts[k])
        throw new BackupError(
          `restored ${restored[k]} ${k}, the manifest says ${m.counts[k]}: the backup is damaged`,
        );
    const check = await verifyPostgresStore({ url: opts.url });
    const fatal = check.problems.filter((p) => p.kind === "body-missing" || p.kind === "body-corrupt");
    if (fatal.length > 0)
      throw new BackupError(
        `the restored bodies do not match their hashes (${fatal.length} problems): the backup is damaged`,
      );
    if (existsSync(target)) await rmdir(target);
    await rename(stage, target);

    const { config, external } = await restoreOutsideFiles(m, from, filesPrefix, opts.configPath);
    return {
      dataDir: target,
      manifest: m,
      files: m.files.length,
      config,
      external,
      warnings: check.problems,
      ms: performance.now() - started,
    };
  } catch (e) {
    await rm(stage, { recursive: true, force: true });
    throw e;
  }
}
