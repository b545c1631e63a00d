// UploadStore in a directory (issue 17): the JMAP uploads of `serve --workers N` without Redis,
// under the data directory every worker shares, so a POST /upload that one worker took is found
// by the Email/import or Email/set another worker runs. Not through the supervisor's IPC channel
// like the counters and locks: an upload is up to maxSizeUpload (50 MB) and would cross it twice
// as JSON, holding up every login's counter calls behind it; not in the database either, whose
// group commits would carry the bytes through the WAL for an object that lives an hour.
//
// Layout: <dir>/<accountId>/<blobId>.<size>.<expiresMs>, the type on the file's first line (an
// HTTP Content-Type has no line break) then the bytes. The name alone says what the quota and the
// expiry need, so a put lists the account's directory and never reads another upload. Files are
// written under a temporary name and renamed (a reader sees a whole upload or none); the same
// content uploaded again gets the new expiry under a new name and the old name is removed.
// Invariants:
// - A blob id read from a request is used in a path only if it is "G" and 64 hex digits.
// - Expired uploads are removed on every put or get of their account, and the whole directory is
//   swept at most once per ttl on a put (so an account never used again is emptied too).
// - The quota check and the write are not one atomic step across processes: two workers' puts at
//   the same instant may both fit, so an account can pass its quota by the uploads in flight
//   (each at most maxSizeUpload, at most maxConcurrentUpload per worker): a bound on disk use,
//   not an exact count, as MemoryUploads is per worker today.
// - Not fsynced: a pending upload does not survive a crash, as the UploadStore contract allows
//   (a client that gets blobNotFound uploads again).
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type UploadLimits, type UploadResult, type UploadStore, uploadBlobId } from "./uploads.js";

/** The uploads' directory under the data directory (not backed up: they are pending). */
export const UPLOADS_DIR = "uploads";

const BLOB_ID = /^G[0-9a-f]{64}$/;
const ENTRY = /^(G[0-9a-f]{64})\.(\d{1,15})\.(\d{1,15})$/;
const TEMP_PREFIX = ".tmp-";

interface Entry {
  name: string;
  blobId: string;
  size: number;
  expires: number;
}

export class FileUploads implements UploadStore {
  private readonly now: () => number;
  private lastSweep: number;

  constructor(
    private readonly opts: {
      /** The directory of the uploads (created when missing): `<dataDir>/uploads`. */
      dir: string;
      limits: UploadLimits;
      now?: () => number;
    },
  ) {
    this.now = opts.now ?? Date.now;
    this.lastSweep = this.now();
  }

  async put(accountId: number, data: Buffer, type: string): Promise<UploadResult | null> {
    await this.sweepAll();
    const dir = this.accountDir(accountId);
    await mkdir(dir, { recursive: true });
    const blobId = uploadBlobId(data);
    const live = await this.live(dir);
    const used = live.filter((e) => e.blobId !== blobId).reduce((n, e) => n + e.size, 0);
    if (used + data.length > this.opts.limits.quotaBytes) return null;
    const name = `${blobId}.${data.length}.${this.now() + this.opts.limits.ttlMs}`;
    const temp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString("hex")}`);
    try {
      await writeFile(temp, Buffer.concat([Buffer.from(`${type.replace(/[\r\n]/g, " ")}\n`), data]));
      await rename(temp, join(dir, name));
    } catch (e) {
      await unlink(temp).catch(() => {});
      throw e;
    }
    for (const e of live) if (e.blobId === blobId && e.name !== name) await removeQuietly(join(dir, e.name));
    return { blobId, type, size: data.length };
  }

  async get(accountId: number, blobId: string): Promise<{ data: Buffer; type: string } | null> {
    if (!BLOB_ID.test(blobId)) return null;
    const dir = this.accountDir(accountId);
    // The latest expiry of that content (a put of the same bytes renames it forward).
    const found = (await this.live(dir))
      .filter((e) => e.blobId === blobId)
      .sort((x, y) => y.expires - x.expires)[0];
    if (!found) return null;
    let file: Buffer;
    try {
      file = await readFile(join(dir, found.name));
    } catch (e) {
      if (isMissing(e)) return null; // expired and removed by another process meanwhile
      throw e;
    }
    const nl = file.indexOf(0x0a);
    if (nl < 0) return null;
    return { type: file.subarray(0, nl).toString("utf8"), data: file.subarray(nl + 1) };
  }

  private accountDir(accountId: number): string {
    if (!Number.isSafeInteger(accountId) || accountId < 0) throw new TypeError(`bad account id ${accountId}`);
    return join(this.opts.dir, String(accountId));
  }

  /** The account's unexpired uploads; the expired ones, and temporary files a crash left older
   *  than the ttl, are removed on the way. */
  private async live(dir: string): Promise<Entry[]> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (e) {
      if (isMissing(e)) return [];
      throw e;
    }
    const now = this.now();
    const out: Entry[] = [];
    for (const name of names) {
      const m = ENTRY.exec(name);
      if (m) {
        const entry = { name, blobId: m[1]!, size: Number(m[2]), expires: Number(m[3]) };
        if (entry.expires > now) out.push(entry);
        else await removeQuietly(join(dir, name));
      } else if (name.startsWith(TEMP_PREFIX)) {
        const st = await stat(join(dir, name)).catch(() => null);
        if (st && st.mtimeMs + this.opts.limits.ttlMs < Date.now()) await removeQuietly(join(dir, name));
      }
    }
    return out;
  }

  /** Every account's expired uploads removed, at most once per ttl. */
  private async sweepAll(): Promise<void> {
    if (this.now() - this.lastSweep < this.opts.limits.ttlMs) return;
    this.lastSweep = this.now();
    let accounts: string[];
    try {
      accounts = await readdir(this.opts.dir);
    } catch (e) {
      if (isMissing(e)) return;
      throw e;
    }
    for (const a of accounts) if (/^\d{1,15}$/.test(a)) await this.live(join(this.opts.dir, a));
  }
}

function isMissing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === "ENOENT";
}

async function removeQuietly(path: string): Promise<void> {
  await unlink(path).catch((e: unknown) => {
    if (!isMissing(e)) throw e;
  });
}
