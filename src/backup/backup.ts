// `yubin backup DIR`: a consistent online backup of the whole installation while the server keeps
// serving (layout: manifest.ts).
//
// Why this order. The database snapshot is VACUUM INTO from a read connection (store/sqlite/
// backup.ts): in WAL mode it never blocks the server's writers. Bodies above inlineMaxBytes are
// files the server unlinks after the commit that drops their last message, so a file named by
// the snapshot may be gone by the time it is copied. Hence:
//   1. every body file present now is linked (or copied) into DIR/blobs first: a hard link keeps
//      the content even when the server unlinks its name afterwards;
//   2. the snapshot is taken;
//   3. the files it names that appeared between 1 and 2 are linked now. One that is missing was
//      delivered and deleted again within that window: the snapshot is taken again (at most
//      SNAPSHOT_ATTEMPTS times), which no longer names it. One still missing then is damage in
//      the data directory (`yubin verify` reports it): the backup is made, the body listed as
//      missing in the manifest, and the command fails.
// Incremental: a second run into the same DIR keeps the bodies already there (content-addressed,
// so a name present is the right content) and adds only new ones; `since` (a previous backup
// directory) makes a new DIR whose bodies already in the previous one are linked from there.
// Each run writes its database and small files under run-<stamp>/ and commits by renaming the
// manifest over the old one, so a run that dies midway leaves the previous backup intact.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { lstat, readdir, readFile, rm, stat, unlink, writeFile } from "node:fs/promises";
import { basename, isAbsolute, join, relative, resolve, sep } from "node:path";
import { BLOB_DIR, DATABASE_FILES, snapshotDatabase } from "../store/sqlite/backup.js";
import { processAlive } from "../store/sqlite/owner.js";
import { UPLOADS_DIR } from "../store/uploads-files.js";
import {
  BackupError,
  copyChecked,
  eachLimited,
  ensureDir,
  FILE_MODE,
  fsyncPath,
  HASH_RE,
  place,
  sha256File,
} from "./files.js";
import {
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  type Manifest,
  type ManifestFile,
  readManifest,
  writeManifest,
} from "./manifest.js";

const SNAPSHOT_ATTEMPTS = 3;
const DEFAULT_CONCURRENCY = 8;
/** Data directory entries that are not copied as files: the database (snapshotted instead), its
 *  companions, the bodies (handled above), the running server's pid and the workers' pending JMAP
 *  uploads (an hour's state a client uploads again, like MemoryUploads' after a restart). */
const NOT_FILES = new Set([...DATABASE_FILES, BLOB_DIR, "store.pid", UPLOADS_DIR]);

export interface BackupOptions {
  dataDir: string;
  dest: string;
  /** The config file, backed up too (it may live inside the data directory or elsewhere). */
  configPath?: string;
  /** A previous backup directory: bodies it holds are linked from it into the new `dest`. */
  since?: string;
  /** Files or directories outside the data directory that the config names (TLS certificate and
   *  key, global Sieve scripts); ones inside it are among its files anyway. */
  extraPaths?: string[];
  /** Copy bodies even where a hard link is possible. */
  copy?: boolean;
  concurrency?: number;
  /** Called around each snapshot attempt (1, 2, ...): the tests make the race of 2.-3. happen. */
  hooks?: { beforeSnapshot?(attempt: number): Promise<void>; afterSnapshot?(attempt: number): Promise<void> };
}

export interface BackupSummary {
  dest: string;
  mode: "full" | "same-dir" | "since";
  /** Body files the backup holds, by how each got there in this run. */
  bodies: {
    total: number;
    bytes: number;
    kept: number;
    fromPrevious: number;
    linked: number;
    copied: number;
    removed: number;
  };
  files: number;
  database: { size: number; vacuumMs: number; attempts: number };
  counts: Manifest["counts"];
  missingBodies: string[];
  ms: number;
}

type Origin = "kept" | "fromPrevious" | "linked" | "copied";

export async function backupInstallation(opts: BackupOptions): Promise<BackupSummary> {
  const started = performance.now();
  const dataDir = resolve(opts.dataDir);
  const dest = resolve(opts.dest);
  const since = opts.since === undefined ? undefined : resolve(opts.since);
  const limit = opts.concurrency ?? DEFAULT_CONCURRENCY;
  if (inside(dest, dataDir) || inside(dataDir, dest))
    throw new BackupError("the backup directory and the data directory must not contain each other");
  if (!existsSync(join(dataDir, DATABASE_FILES[0]!)))
    throw new BackupError(`${dataDir}: no database to back up`);

  const previous = existsSync(join(dest, "manifest.json")) ? await readManifest(dest) : null;
  if (previous && previous.backend !== "sqlite")
    throw new BackupError(`${dest} is a backup of the ${previous.backend} store`);
  if (!previous && existsSync(dest) && (await readdir(dest)).length > 0)
    throw new BackupError(`${dest} is neither empty nor a backup`);
  if (previous && since) throw new BackupError(`${dest} is already a backup: --since is for a new directory`);
  if (since) await readManifest(since);
  await ensureDir(dest);
  const release = await lockDir(dest);
  try {
    const blobDir = join(dest, BLOB_DIR);
    await ensureDir(blobDir);
    const origin = new Map<string, Origin>();
    for (const h of await listBlobFiles(blobDir)) origin.set(h, "kept");
    const sinceBlobs = since ? new Set(await listBlobFiles(join(since, BLOB_DIR))) : new Set<string>();

    /** blobs/ subdirectories with new entries, fsync'd before the manifest commits. */
    const touched = new Set<string>();
    const bring = async (hash: string): Promise<boolean> => {
      if (origin.has(hash)) return true;
      const target = blobPath(blobDir, hash);
      if (
        sinceBlobs.has(hash) &&
        (await place(blobPath(join(since!, BLOB_DIR), hash), target, { sha256: hash }))
      ) {
        origin.set(hash, "fromPrevious");
        touched.add(hash.slice(0, 2));
        return true;
      }
      let how: Awaited<ReturnType<typeof place>>;
      try {
        how = await place(blobPath(join(dataDir, BLOB_DIR), hash), target, { copy: opts.copy, sha256: hash });
      } catch (e) {
        if (e instanceof BackupError) return false; // a damaged body file: reported as missing
        throw e;
      }
      if (how) {
        origin.set(hash, how);
        touched.add(hash.slice(0, 2));
      }
      return how !== null;
    };

    // 1. Every body file there is now.
    await eachLimited(await listBlobFiles(join(dataDir, BLOB_DIR)), limit, async (h) => {
      await bring(h);
    });

    // 2. + 3. The snapshot, and the files that appeared meanwhile.
    const stamp = `${new Date().toISOString().replace(/[:.]/g, "")}-${randomBytes(3).toString("hex")}`;
    const run = `run-${stamp}`;
    const runDir = join(dest, run);
    await ensureDir(runDir);
    const dbPath = join(runDir, DATABASE_FILES[0]!);
    let snapshot: Awaited<ReturnType<typeof snapshotDatabase>>;
    let missing: string[] = [];
    let attempts = 0;
    for (;;) {
      attempts++;
      await rm(dbPath, { force: true });
      await opts.hooks?.beforeSnapshot?.(attempts);
      snapshot = await snapshotDatabase({ dataDir, dest: dbPath });
      await opts.hooks?.afterSnapshot?.(attempts);
      missing = [];
      await eachLimited(snapshot.fileBlobs, limit, async ({ hash }) => {
        if (!(await bring(hash))) missing.push(hash);
      });
      if (missing.length === 0 || attempts >= SNAPSHOT_ATTEMPTS) break;
    }
    await fsyncPath(dbPath);

    const { files, config, external } = await copyInstallationFiles(opts, { dataDir, run, runDir });

    const wanted = new Set(snapshot.fileBlobs.map((b) => b.hash));
    const counts = {
      ...snapshot.counts,
      fileBlobs: snapshot.fileBlobs.length,
      fileBlobBytes: snapshot.fileBlobs.reduce((n, b) => n + b.size, 0),
    };
    const dbSize = (await stat(dbPath)).size;
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      backend: "sqlite",
      createdAt: new Date().toISOString(),
      schemaVersion: snapshot.schemaVersion,
      dataDir,
      run,
      database: { file: `${run}/${DATABASE_FILES[0]}`, size: dbSize, sha256: await sha256File(dbPath) },
      counts,
      files,
      config,
      external,
      missingBodies: missing.sort(),
    };
    await eachLimited([...touched], limit, (sub) => fsyncPath(join(blobDir, sub)));
    await fsyncPath(blobDir);
    await writeManifest(dest, manifest);

    // Committed: the previous run and the bodies only it needed go.
    const oldRun = previous?.run;
    if (oldRun && oldRun !== run && /^run-[0-9A-Za-z-]+$/.test(oldRun))
      await rm(join(dest, oldRun), { recursive: true, force: true });
    let removed = 0;
    for (const h of origin.keys()) {
      if (wanted.has(h)) continue;
      await unlink(blobPath(blobDir, h)).catch(() => {});
      removed++;
    }
    const tally = { kept: 0, fromPrevious: 0, linked: 0, copied: 0 };
    for (const h of wanted) {
      const o = origin.get(h);
      if (o) tally[o]++;
    }
    return {
      dest,
      mode: previous ? "same-dir" : since ? "since" : "full",
      bodies: { total: wanted.size - missing.length, bytes: counts.fileBlobBytes, ...tally, removed },
      files: files.length,
      database: { size: dbSize, vacuumMs: snapshot.vacuumMs, attempts },
      counts,
      missingBodies: manifest.missingBodies,
      ms: performance.now() - started,
    };
  } finally {
    await release();
  }
}

/** The data directory's other files (keys, DKIM, TLS, Sieve), the config file and what the config
 *  names outside the data directory, into this run's directory: the same for both backends. */
export async function copyInstallationFiles(
  opts: Pick<BackupOptions, "configPath" | "extraPaths">,
  where: { dataDir: string; run: string; runDir: string },
): Promise<Pick<Manifest, "files" | "config" | "external">> {
  const { dataDir, run, runDir } = where;
  const files = (await copyTree(dataDir, join(runDir, "files"))).map((f) => ({
    ...f,
    path: `${run}/files/${f.path}`,
  }));
  let config: Manifest["config"] = null;
  if (opts.configPath !== undefined && existsSync(opts.configPath)) {
    const cfg = resolve(opts.configPath);
    if (inside(cfg, dataDir))
      config = { originalPath: cfg, stored: `${run}/files/${relative(dataDir, cfg).split(sep).join("/")}` };
    else {
      await ensureDir(join(runDir, "config"));
      await copyChecked(cfg, join(runDir, "config", basename(cfg)));
      config = { originalPath: cfg, stored: `${run}/config/${basename(cfg)}` };
    }
  }
  // Files the config names outside the data directory (a TLS certificate and key, global Sieve
  // scripts): kept with their original paths, which restore fills when they are missing.
  const external: Manifest["external"] = [];
  for (const [i, p] of (opts.extraPaths ?? []).entries()) {
    const abs = resolve(p);
    if (inside(abs, dataDir) || !existsSync(abs)) continue;
    const st = await stat(abs);
    const to = join(runDir, "external", String(i));
    const copied = st.isDirectory() ? await copyTree(abs, to, false) : await copyOne(abs, to);
    for (const f of copied)
      external.push({
        originalPath: st.isDirectory() ? join(abs, ...f.path.split("/")) : abs,
        path: `${run}/external/${i}/${f.path}`,
        size: f.size,
        sha256: f.sha256,
      });
  }
  return { files, config, external };
}

export function inside(path: string, dir: string): boolean {
  const r = relative(dir, path);
  return r === "" || (r !== ".." && !r.startsWith(`..${sep}`) && !isAbsolute(r));
}

export function blobPath(blobDir: string, hash: string): string {
  return join(blobDir, hash.slice(0, 2), hash);
}

/** The hashes of the body files under a blobs/ directory (temporaries and strays ignored). */
export async function listBlobFiles(blobDir: string): Promise<string[]> {
  const out: string[] = [];
  let subs: string[];
  try {
    subs = await readdir(blobDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return out;
    throw e;
  }
  for (const sub of subs) {
    if (!/^[0-9a-f]{2}$/.test(sub)) continue;
    let names: string[];
    try {
      names = await readdir(join(blobDir, sub));
    } catch {
      continue;
    }
    for (const n of names) if (HASH_RE.test(n) && n.startsWith(sub)) out.push(n);
  }
  return out;
}

/** One file into `to`/ under its own name, with its hash. */
async function copyOne(src: string, to: string): Promise<ManifestFile[]> {
  await ensureDir(to);
  const target = join(to, basename(src));
  if (!(await copyChecked(src, target))) return [];
  return [{ path: basename(src), size: (await stat(target)).size, sha256: await sha256File(target) }];
}

/** Copies a directory's files (recursively) into `to`, with their hashes; the data directory's
 *  own database, bodies and pid file left out. */
async function copyTree(from: string, to: string, dataDir = true): Promise<ManifestFile[]> {
  const out: ManifestFile[] = [];
  const walk = async (rel: string[]): Promise<void> => {
    const dir = join(from, ...rel);
    for (const name of (await readdir(dir)).sort()) {
      if (dataDir && rel.length === 0 && NOT_FILES.has(name)) continue;
      if (name.includes(".tmp")) continue; // a key file or blob being written (key-file.ts)
      const src = join(dir, name);
      const st = await lstat(src).catch(() => null);
      if (!st) continue;
      if (st.isDirectory()) {
        await walk([...rel, name]);
        continue;
      }
      if (!st.isFile()) continue; // sockets, symlinks: not data
      const target = join(to, ...rel, name);
      await ensureDir(join(to, ...rel));
      if (!(await copyChecked(src, target))) continue;
      out.push({
        path: [...rel, name].join("/"),
        size: (await stat(target)).size,
        sha256: await sha256File(target),
      });
    }
  };
  await ensureDir(to);
  await walk([]);
  return out;
}

/** One backup at a time per directory; a lock left by a dead process is taken over. */
export async function lockDir(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, ".lock");
  const mine = `${process.pid}\n`;
  try {
    await writeFile(path, mine, { flag: "wx", mode: FILE_MODE });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    const pid = Number.parseInt(await readFile(path, "utf8").catch(() => ""), 10);
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid))
      throw new BackupError(`${dir}: another backup (pid ${pid}) is writing here`);
    await writeFile(path, mine, { mode: FILE_MODE });
  }
  return async () => {
    await unlink(path).catch(() => {});
  };
}

/** The write pause a running server sees during a backup (for the benchmark and the tests). */
export { probeWritePauses, type WritePauses } from "../store/sqlite/backup.js";
