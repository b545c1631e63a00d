// File plumbing of backup and restore: body files hard-linked when source and target share a
// filesystem (a body file is immutable: the store writes a new one by rename and only ever
// unlinks, never rewrites, so sharing its inode is safe), copied otherwise, a copy checked
// against its content hash as it is written; everything made 0600 / 0700.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { chmod, link, mkdir, open, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { pipeline } from "node:stream/promises";

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BackupError";
  }
}

export const HASH_RE = /^[0-9a-f]{64}$/;

/** How one file got into place. */
export type Placed = "linked" | "copied";

export interface PlaceOptions {
  /** Never hard-link (a backup meant to survive the disk it came from). */
  copy?: boolean;
  /** The sha256 the bytes must have (a copy is checked as it is written). */
  sha256?: string;
}

/** Puts `src` at `dest` (which must not exist): a hard link when allowed and possible, else a
 *  copy through a temporary name. Returns null when `src` does not exist. */
export async function place(src: string, dest: string, opts: PlaceOptions = {}): Promise<Placed | null> {
  await ensureDir(dirname(dest));
  if (!opts.copy) {
    try {
      await link(src, dest);
      return "linked";
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return null;
      if (code === "EEXIST") return "linked";
      // EXDEV (another filesystem), EPERM/EMLINK (links not allowed): copy instead.
    }
  }
  return (await copyChecked(src, dest, opts.sha256)) ? "copied" : null;
}

/** Copies src to dest (0600) via a temporary name, fsync'd; false when src does not exist. */
export async function copyChecked(src: string, dest: string, sha256?: string): Promise<boolean> {
  const tmp = `${dest}.tmp-${randomBytes(6).toString("hex")}`;
  const h = createHash("sha256");
  try {
    const input = createReadStream(src);
    input.on("data", (c) => h.update(c as Buffer));
    await pipeline(input, createWriteStream(tmp, { mode: FILE_MODE, flags: "wx" }));
  } catch (e) {
    await unlink(tmp).catch(() => {});
    if ((e as NodeJS.ErrnoException).code === "ENOENT" && (e as NodeJS.ErrnoException).path === src)
      return false;
    throw e;
  }
  const got = h.digest("hex");
  if (sha256 !== undefined && got !== sha256) {
    await unlink(tmp).catch(() => {});
    throw new BackupError(`${src}: content does not match its hash (${got}, expected ${sha256})`);
  }
  await chmod(tmp, FILE_MODE);
  await fsyncPath(tmp);
  await rename(tmp, dest);
  return true;
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest("hex");
}

/** Creates dir (and parents) 0700. */
export async function ensureDir(dir: string): Promise<void> {
  const made = await mkdir(dir, { recursive: true, mode: DIR_MODE });
  if (made !== undefined) await chmod(dir, DIR_MODE);
}

export async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Runs fn over items with at most `limit` at once, in order of start. */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const run = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, run));
}
