// `yubin restore DIR`: a backup (manifest.ts) into an empty or new data directory. Everything is
// assembled in a sibling staging directory, checked (the database and every small file against
// the manifest's hashes, every body against its content hash by the same checks as `yubin
// verify`) and only then renamed into place, so a failed restore leaves nothing that a server
// could start on. The database is always copied (the server writes it); bodies are hard-linked
// from the backup when on the same filesystem (immutable, as in backup) unless `copy`.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, rename, rm, rmdir } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { BLOB_DIR, DATABASE_FILES, inspectSnapshot, SCHEMA_VERSION } from "../store/sqlite/backup.js";
import { type VerifyProblem, verifySqliteStore } from "../store/sqlite/verify.js";
import { blobPath } from "./backup.js";
import { BackupError, copyChecked, eachLimited, ensureDir, place } from "./files.js";
import { type Manifest, readManifest } from "./manifest.js";

export interface RestoreOptions {
  /** The backup directory. */
  from: string;
  /** The data directory to create (it must not exist, or be empty). */
  dataDir: string;
  /** Where to write the backed-up config file when it lived outside the data directory (never
   *  over an existing file). */
  configPath?: string;
  copy?: boolean;
  concurrency?: number;
}

export interface RestoreSummary {
  dataDir: string;
  manifest: Manifest;
  bodies: { total: number; linked: number; copied: number };
  files: number;
  /** The config file written, or why not. */
  config: { written: string } | { skipped: string } | null;
  /** Files the config names outside the data directory: written (they were missing) or kept. */
  external: { written: string[]; kept: string[] };
  /** Problems the backed-up database already had (wrong counters; not bodies: those fail). */
  warnings: VerifyProblem[];
  ms: number;
}

export async function restoreInstallation(opts: RestoreOptions): Promise<RestoreSummary> {
  const started = performance.now();
  const from = resolve(opts.from);
  const target = resolve(opts.dataDir);
  const m = await readManifest(from);
  if (m.backend !== "sqlite")
    throw new BackupError(
      `this is a backup of the ${m.backend} store: restore it with storage.backend = "${m.backend}"`,
    );
  if (m.schemaVersion > SCHEMA_VERSION)
    throw new BackupError(
      `the backup's schema version ${m.schemaVersion} is newer than this program's (${SCHEMA_VERSION})`,
    );
  if (m.missingBodies.length > 0)
    throw new BackupError(
      `the backup lacks ${m.missingBodies.length} message bodies (see its manifest): restore an earlier one`,
    );
  if (existsSync(target) && (await readdir(target)).length > 0)
    throw new BackupError(`${target} is not empty: restore only into a new or empty data directory`);

  const stage = join(dirname(target), `.${basename(target)}.restore-${randomBytes(4).toString("hex")}`);
  await ensureDir(stage);
  try {
    const dbPath = join(stage, DATABASE_FILES[0]!);
    await copyChecked(join(from, m.database.file), dbPath, m.database.sha256);
    const contents = await inspectSnapshot(dbPath);
    if (contents.schemaVersion !== m.schemaVersion)
      throw new BackupError(
        `the backup's database is schema ${contents.schemaVersion}, its manifest says ${m.schemaVersion}`,
      );

    const bodies = { total: contents.fileBlobs.length, linked: 0, copied: 0 };
    const absent: string[] = [];
    await ensureDir(join(stage, BLOB_DIR));
    await eachLimited(contents.fileBlobs, opts.concurrency ?? 8, async ({ hash }) => {
      const how = await place(blobPath(join(from, BLOB_DIR), hash), blobPath(join(stage, BLOB_DIR), hash), {
        copy: opts.copy,
        sha256: hash,
      });
      if (how) bodies[how]++;
      else absent.push(hash);
    });
    if (absent.length > 0)
      throw new BackupError(`the backup lacks ${absent.length} body files, e.g. ${absent[0]}`);

    const filesPrefix = `${m.run}/files/`;
    for (const f of m.files) {
      if (!f.path.startsWith(filesPrefix)) continue;
      const rel = f.path.slice(filesPrefix.length).split("/");
      await ensureDir(join(stage, ...rel.slice(0, -1)));
      if (!(await copyChecked(join(from, f.path), join(stage, ...rel), f.sha256)))
        throw new BackupError(`the backup lacks ${f.path}`);
    }

    const check = await verifySqliteStore({ dataDir: stage });
    const fatal = check.problems.filter(
      (p) => p.kind === "body-missing" || p.kind === "body-corrupt" || p.kind === "blob-row-missing",
    );
    if (fatal.length > 0)
      throw new BackupError(
        `the restored bodies do not match their hashes (${fatal.length} problems): the backup is damaged`,
      );

    if (existsSync(target)) await rmdir(target);
    await rename(stage, target);

    const { config, external } = await restoreOutsideFiles(m, from, filesPrefix, opts.configPath);
    return {
      dataDir: target,
      external,
      manifest: m,
      bodies,
      files: m.files.length,
      config,
      warnings: check.problems,
      ms: performance.now() - started,
    };
  } catch (e) {
    await rm(stage, { recursive: true, force: true });
    throw e;
  }
}

/** The config file when it lived outside the data directory (never written over an existing
 *  file), and what the config named outside the data directory: put back where missing, never over
 *  a file. The same for both backends' restores. */
export async function restoreOutsideFiles(
  m: Manifest,
  from: string,
  filesPrefix: string,
  configPath: string | undefined,
): Promise<Pick<RestoreSummary, "config" | "external">> {
  let config: RestoreSummary["config"] = null;
  if (m.config && !m.config.stored.startsWith(filesPrefix)) {
    const dest = configPath === undefined ? undefined : resolve(configPath);
    if (dest === undefined) config = { skipped: "no config path given" };
    else if (existsSync(dest)) config = { skipped: `${dest} exists; left as it is` };
    else {
      await ensureDir(dirname(dest));
      await copyChecked(join(from, m.config.stored), dest);
      config = { written: dest };
    }
  }
  const external = { written: [] as string[], kept: [] as string[] };
  for (const e of m.external) {
    if (existsSync(e.originalPath)) {
      external.kept.push(e.originalPath);
      continue;
    }
    await ensureDir(dirname(e.originalPath));
    await copyChecked(join(from, e.path), e.originalPath, e.sha256);
    external.written.push(e.originalPath);
  }
  return { config, external };
}
