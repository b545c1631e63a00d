// Message bodies, content-addressed by SHA-256 (blobId = hex hash) and stored once.
// Bodies up to inlineMaxBytes live in the blob_data table (committed with the metadata, one fsync
// per batch); larger ones are files blobs/xx/<hash>. A file is written to a temporary name,
// fsync'd, renamed into place and its directory fsync'd BEFORE the transaction that references it
// commits, so a committed row never points at a missing or partial file.
// A file whose row is gone (or never committed, after a crash) is an orphan: removed after the
// deleting commit (blob_trash) or by the sweep at open.
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, rmSync, unlinkSync } from "node:fs";
import { mkdir, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../../log/logger.js";
import type { MessageStructure } from "../../mime/types.js";
import { StoreError } from "../errors.js";
import { firstId, threadRefs } from "../shared/thread-refs.js";
import type { Db } from "./db.js";

const HASH_RE = /^[0-9a-f]{64}$/;

interface BlobRow {
  id: number;
  inline: number;
}

export interface BlobInfo {
  msgid: string | null;
  refs: string[];
}

export class Blobs {
  readonly dir: string;
  /** Hashes whose file is being written or awaited by a pending transaction: never unlinked. */
  private readonly pins = new Map<string, { n: number; file: boolean }>();
  private readonly writing = new Map<string, Promise<void>>();
  private readonly knownDirs = new Set<string>();
  private readonly stmts;

  constructor(
    db: Db,
    dataDir: string,
    readonly inlineMaxBytes: number,
    private readonly parse: (body: Buffer) => MessageStructure,
    private readonly log: Logger,
  ) {
    this.dir = join(dataDir, "blobs");
    mkdirSync(this.dir, { recursive: true });
    this.stmts = {
      byHash: db.prepare<[string], BlobRow>("SELECT id, inline FROM blobs WHERE hash = ?"),
      info: db.prepare<[number], { msgid: string | null; refs: string }>(
        "SELECT msgid, refs FROM blobs WHERE id = ?",
      ),
      insert: db.prepare<[string, number, number, string | null, string, string]>(
        "INSERT INTO blobs (hash, size, inline, refcount, msgid, refs, structure) VALUES (?, ?, ?, 0, ?, ?, ?)",
      ),
      insertData: db.prepare<[number, Buffer]>("INSERT INTO blob_data (blob_id, data) VALUES (?, ?)"),
      data: db.prepare<[string], { inline: number; data: Buffer | null }>(
        "SELECT b.inline, d.data FROM blobs b LEFT JOIN blob_data d ON d.blob_id = b.id WHERE b.hash = ?",
      ),
      trash: db.prepare<[], { hash: string }>("SELECT hash FROM blob_trash"),
      untrash: db.prepare<[string]>("DELETE FROM blob_trash WHERE hash = ?"),
      fileHashes: db.prepare<[], { hash: string }>("SELECT hash FROM blobs WHERE inline = 0"),
    };
  }

  isInline(size: number): boolean {
    return size <= this.inlineMaxBytes;
  }

  pathOf(hash: string): string {
    return join(this.dir, hash.slice(0, 2), hash);
  }

  /** Before the transaction: pin the hash and make sure a large body's file is durable.
   *  Every prepare() is paired with one release(), whether it succeeded or not. */
  async prepare(hash: string, body: Buffer): Promise<void> {
    const inline = this.isInline(body.length);
    this.pin(hash, !inline);
    if (inline) return;
    let w = this.writing.get(hash);
    if (!w) {
      w = this.writeFile(hash, body).finally(() => this.writing.delete(hash));
      this.writing.set(hash, w);
    }
    await w;
  }

  /** After the transaction (committed or not): unpin, and remove the file if nothing refers to it. */
  release(hash: string): void {
    const pin = this.pins.get(hash);
    if (pin && --pin.n > 0) return;
    this.pins.delete(hash);
    // An inline body never had a file: no lookup, no unlink (the common case, once per message).
    if (pin && !pin.file) return;
    const row = this.stmts.byHash.get(hash);
    if (!row || row.inline === 1) this.unlinkQuiet(hash);
  }

  /** Inside a transaction: the blob row for this body, inserted (and parsed once) if new. */
  acquire(hash: string, body: Buffer): { id: number; info: BlobInfo } {
    const row = this.stmts.byHash.get(hash);
    if (row) {
      const i = this.stmts.info.get(row.id)!;
      return { id: row.id, info: { msgid: i.msgid, refs: JSON.parse(i.refs) as string[] } };
    }
    const structure = this.parse(body);
    const info: BlobInfo = {
      msgid: firstId(structure.envelope.messageId),
      refs: threadRefs(structure),
    };
    const inline = this.isInline(body.length);
    const r = this.stmts.insert.run(
      hash,
      body.length,
      inline ? 1 : 0,
      info.msgid,
      JSON.stringify(info.refs),
      JSON.stringify(structure),
    );
    const id = Number(r.lastInsertRowid);
    if (inline) this.stmts.insertData.run(id, body);
    return { id, info };
  }

  async read(hash: string): Promise<Buffer> {
    if (!HASH_RE.test(hash)) throw new StoreError("not-found", `no blob ${hash}`);
    const row = this.stmts.data.get(hash);
    if (!row) throw new StoreError("not-found", `no blob ${hash}`);
    if (row.inline === 1) return row.data!;
    return readFile(this.pathOf(hash));
  }

  /** After a commit: unlink the files of blobs whose last reference went away. */
  collect(): void {
    const rows = this.stmts.trash.all();
    for (const { hash } of rows) {
      if (!this.pins.has(hash) && !this.stmts.byHash.get(hash)) this.unlinkQuiet(hash);
      this.stmts.untrash.run(hash);
    }
  }

  /** At open, with no other process using the store: drop temporaries and orphan files. */
  sweepOrphans(): number {
    this.collect();
    const wanted = new Set(this.stmts.fileHashes.all().map((r) => r.hash));
    let removed = 0;
    for (const sub of readdirSync(this.dir)) {
      const subdir = join(this.dir, sub);
      let names: string[];
      try {
        names = readdirSync(subdir);
      } catch {
        continue;
      }
      for (const name of names) {
        if (!wanted.has(name)) {
          rmSync(join(subdir, name), { force: true, recursive: true });
          removed++;
        }
      }
    }
    if (removed > 0) this.log.warn("removed orphan blob files", { count: removed });
    return removed;
  }

  private pin(hash: string, file: boolean): void {
    const p = this.pins.get(hash);
    if (p) {
      p.n++;
      p.file ||= file;
    } else this.pins.set(hash, { n: 1, file });
  }

  private unlinkQuiet(hash: string): void {
    try {
      unlinkSync(this.pathOf(hash));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") {
        this.log.warn("cannot remove blob file", { hash, error: e });
      }
    }
  }

  private async writeFile(hash: string, body: Buffer): Promise<void> {
    const final = this.pathOf(hash);
    const existing = await stat(final).catch(() => null);
    // A file at the final name was renamed there complete and fsync'd (only whole files are).
    if (existing && existing.size === body.length) return;
    const sub = join(this.dir, hash.slice(0, 2));
    await this.ensureDir(sub);
    const tmp = join(sub, `${hash}.tmp-${randomBytes(6).toString("hex")}`);
    const fh = await open(tmp, "wx", 0o600);
    try {
      await fh.writeFile(body);
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, final);
    } catch (e) {
      await unlink(tmp).catch(() => {});
      throw e;
    }
    await fsyncDir(sub);
  }

  private async ensureDir(sub: string): Promise<void> {
    if (this.knownDirs.has(sub)) return;
    const created = await mkdir(sub, { recursive: true });
    // A new directory entry must itself be durable before files in it are relied upon.
    if (created !== undefined) await fsyncDir(this.dir);
    this.knownDirs.add(sub);
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
