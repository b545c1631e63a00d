// A backup directory's manifest.json: what the backup holds and how to check it. Layout of DIR:
//   manifest.json      this, written last (a directory without one is no backup)
//   blobs/xx/<sha256>  the larger bodies, named by their content hash
// (PostgreSQL: no blobs/, the bodies are in the dump, run-<stamp>/database.pgdump, pg_dump's
// custom format of the store's schema.)
//   run-<stamp>/       this run's database snapshot, files/ (everything else of the data
//                      directory: keys, DKIM keys, TLS, Sieve), config/<name> (the config file
//                      when it lives elsewhere), external/<n>/ (what the config names elsewhere)
import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { SnapshotCounts } from "../store/sqlite/backup.js";
import { BackupError, FILE_MODE, fsyncPath } from "./files.js";

export const MANIFEST_FILE = "manifest.json";
export const MANIFEST_FORMAT = "yubin-backup";
export const MANIFEST_VERSION = 1;

export interface ManifestFile {
  /** Relative to files/ (or config/), "/"-separated. */
  path: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  version: number;
  backend: "sqlite" | "postgres";
  /** PostgreSQL: the schema dumped (restore recreates it under this name). */
  postgres?: { schema: string };
  createdAt: string;
  /** The store's schema version (SQLite user_version, PostgreSQL schema_version) of the snapshot. */
  schemaVersion: number;
  /** This run's directory (run-<stamp>): its database, files/ and config/. */
  run: string;
  /** The data directory backed up (absolute). */
  dataDir: string;
  database: { file: string; size: number; sha256: string };
  counts: SnapshotCounts & { fileBlobs: number; fileBlobBytes: number };
  files: ManifestFile[];
  /** The config file: its original path, and where in the backup it is (files/ when it lived in
   *  the data directory, config/ otherwise). */
  config: { originalPath: string; stored: string } | null;
  /** Files the config names outside the data directory, with where they came from. */
  external: (ManifestFile & { originalPath: string })[];
  /** Body files the snapshot names that were missing or damaged in the data directory. */
  missingBodies: string[];
}

export async function writeManifest(dir: string, m: Manifest): Promise<void> {
  const tmp = join(dir, `${MANIFEST_FILE}.tmp`);
  await writeFile(tmp, `${JSON.stringify(m, null, 2)}\n`, { mode: FILE_MODE });
  await fsyncPath(tmp);
  await rename(tmp, join(dir, MANIFEST_FILE));
}

export async function readManifest(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT")
      throw new BackupError(`${dir}: no ${MANIFEST_FILE}: not a backup`);
    throw e;
  }
  let m: Partial<Manifest>;
  try {
    m = JSON.parse(text) as Partial<Manifest>;
  } catch {
    throw new BackupError(`${dir}/${MANIFEST_FILE}: not JSON`);
  }
  if (m.format !== MANIFEST_FORMAT)
    throw new BackupError(`${dir}/${MANIFEST_FILE}: not a Yubin backup manifest`);
  if (m.version !== MANIFEST_VERSION)
    throw new BackupError(
      `${dir}: backup format version ${String(m.version)}; this program reads ${MANIFEST_VERSION}`,
    );
  if (
    (m.backend !== "sqlite" && m.backend !== "postgres") ||
    (m.backend === "postgres" && typeof m.postgres?.schema !== "string") ||
    typeof m.schemaVersion !== "number" ||
    !m.database ||
    !Array.isArray(m.files) ||
    !m.counts ||
    typeof m.dataDir !== "string" ||
    typeof m.run !== "string" ||
    !/^run-[0-9A-Za-z-]+$/.test(m.run)
  )
    throw new BackupError(`${dir}/${MANIFEST_FILE}: incomplete manifest`);
  // Paths come from a file a user may have edited: never outside the backup or the target.
  if (
    !Array.isArray(m.external) ||
    m.external.some((e) => typeof e.originalPath !== "string" || !e.originalPath.startsWith("/"))
  )
    throw new BackupError(`${dir}/${MANIFEST_FILE}: bad external files`);
  const paths = [
    ...m.files.map((f) => f.path),
    ...m.external.map((f) => f.path),
    m.database.file,
    ...(m.config ? [m.config.stored] : []),
  ];
  for (const p of paths) {
    if (
      typeof p !== "string" ||
      p.split("/").some((s) => s === ".." || s === "" || s === ".") ||
      !p.startsWith(`${m.run}/`)
    )
      throw new BackupError(`${dir}/${MANIFEST_FILE}: bad file path ${JSON.stringify(p)}`);
  }
  return m as Manifest;
}
