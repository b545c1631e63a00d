// Who may read the data directory. Its database holds every password hash and every message body
// up to storage.inlineMaxBytes, so it is the owner's alone: the directory is created 0700 and the
// database 0600 (SQLite gives its -wal and -shm files the database file's mode). Modes are set
// explicitly after creating, so a permissive umask does not loosen them. Existing files are
// never chmod'ed behind the administrator's back (a group may be intended, e.g. for backups):
// they get a warning at every start instead.
import { chmodSync, closeSync, constants, existsSync, mkdirSync, openSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "../../log/logger.js";

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` (and missing parents) 0700; an existing directory is left as it is. */
export function makePrivateDir(dir: string): void {
  if (existsSync(dir)) return;
  const parent = dirname(dir);
  if (parent !== dir) makePrivateDir(parent);
  try {
    mkdirSync(dir, { mode: PRIVATE_DIR_MODE });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return; // made meanwhile by another process
    throw e;
  }
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Creates `path` empty and 0600 unless it exists (SQLite then initialises it as a new database). */
export function createPrivateFile(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, PRIVATE_FILE_MODE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return;
    throw e;
  }
  try {
    chmodSync(path, PRIVATE_FILE_MODE);
  } finally {
    closeSync(fd);
  }
}

/** Logs a warning for each of `paths` that exists and that group or others may access. */
export function warnIfShared(paths: readonly string[], log: Logger): string[] {
  const shared: string[] = [];
  for (const path of paths) {
    let mode: number;
    try {
      mode = statSync(path).mode & 0o777;
    } catch {
      continue; // not created (yet): nothing to protect
    }
    if ((mode & 0o077) === 0) continue;
    shared.push(path);
    log.warn("data file readable by other local users: it holds password hashes and mail", {
      path,
      mode: mode.toString(8).padStart(4, "0"),
      fix: `chmod ${statSync(path).isDirectory() ? "700" : "600"} ${path}`,
    });
  }
  return shared;
}
