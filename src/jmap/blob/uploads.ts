// Uploaded blobs (RFC 8620 6.1), kept in memory per account until used or expired: ids are
// "G" + the content's sha256, so uploading the same bytes twice gives the same id. Bounded per
// account by uploadQuotaBytes; expired entries are dropped on every access. An upload does not
// survive a restart; a client that gets blobNotFound uploads again.
import { createHash } from "node:crypto";

interface Entry {
  data: Buffer;
  type: string;
  expires: number;
}

export interface UploadResult {
  blobId: string;
  type: string;
  size: number;
}

export class UploadStore {
  private readonly accounts = new Map<number, Map<string, Entry>>();

  constructor(
    private readonly ttlMs: number,
    private readonly quotaBytes: number,
    private readonly now: () => number = Date.now,
  ) {}

  private of(accountId: number): Map<string, Entry> {
    let m = this.accounts.get(accountId);
    if (!m) {
      m = new Map();
      this.accounts.set(accountId, m);
    }
    const t = this.now();
    for (const [k, e] of m) if (e.expires <= t) m.delete(k);
    return m;
  }

  /** Stores `data`; null when the account's pending uploads would exceed the quota. */
  put(accountId: number, data: Buffer, type: string): UploadResult | null {
    const m = this.of(accountId);
    const blobId = `G${createHash("sha256").update(data).digest("hex")}`;
    const existing = m.get(blobId);
    const used = [...m.values()].reduce((n, e) => n + e.data.length, 0) - (existing?.data.length ?? 0);
    if (used + data.length > this.quotaBytes) return null;
    m.set(blobId, { data, type, expires: this.now() + this.ttlMs });
    return { blobId, type, size: data.length };
  }

  get(accountId: number, blobId: string): { data: Buffer; type: string } | null {
    const e = this.of(accountId).get(blobId);
    return e ? { data: e.data, type: e.type } : null;
  }
}
