// Group commit without blocking the event loop on fsync. A batch commits with
// synchronous=NORMAL (SQLite appends to the WAL and returns without fsync), then this fdatasyncs
// the WAL file on libuv's thread pool, and only then are the batch's promises resolved and its
// events published. What is acknowledged is therefore exactly as durable as with FULL (which
// fsyncs the WAL inside COMMIT), but while the disk works the main thread serves other clients.
// Every other write keeps synchronous=FULL. Checkpoints sync the WAL and the database file
// themselves in both modes, and a WAL restart only happens after a synced checkpoint.
// One thing differs: another session may read a batch between its COMMIT and the fsync, so up to
// one fsync's worth of unacknowledged data can be seen before it is durable (after a power loss
// it is gone, and its sender, never acknowledged, sends it again).
import { close as closeFd, fdatasync, open } from "node:fs";
import type { Db } from "./db.js";

export class WalSync {
  private fd: Promise<number> | null = null;
  private readonly normal;
  private readonly full;

  constructor(
    db: Db,
    private readonly walPath: string,
  ) {
    this.normal = db.prepare("PRAGMA synchronous = NORMAL");
    this.full = db.prepare("PRAGMA synchronous = FULL");
  }

  /** Runs `commit` (a whole transaction) without fsync in it; sync() must follow. */
  withoutFsync<T>(commit: () => T): T {
    this.normal.run();
    try {
      return commit();
    } finally {
      this.full.run();
    }
  }

  /** fdatasync of the WAL file (opened on first use; it lives as long as the connection). */
  async sync(): Promise<void> {
    this.fd ??= new Promise<number>((resolve, reject) =>
      open(this.walPath, "r", (e, fd) => (e ? reject(e) : resolve(fd))),
    );
    const fd = await this.fd;
    await new Promise<void>((resolve, reject) => fdatasync(fd, (e) => (e ? reject(e) : resolve())));
  }

  /** After the last sync(): closes the file. */
  async close(): Promise<void> {
    const fd = this.fd;
    this.fd = null;
    const n = await fd?.catch(() => null);
    if (n != null) closeFd(n, () => {});
  }
}
