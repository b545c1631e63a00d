// Uploaded blobs (JMAP, RFC 8620 6.1) waiting to be used (Email/import, attachments of a draft),
// until used or expired. Ids are "G" + the content's sha256, so uploading the same bytes twice
// gives the same id. Bounded per account by a quota of pending octets. An upload does not survive
// a restart of what holds it; a client that gets blobNotFound uploads again.
// Three implementations of one contract (uploads-contract.ts): MemoryUploads (here, one process),
// FileUploads (uploads-files.ts: the workers of `serve --workers N` without Redis, in the data
// directory they share) and RedisUploads (src/cluster/), so an upload through one worker or node
// is found by the request that uses it on another.
import { createHash } from "node:crypto";

export interface UploadResult {
  blobId: string;
  type: string;
  size: number;
}

export interface UploadStore {
  /** Stores `data`; null when the account's pending uploads would exceed the quota. */
  put(accountId: number, data: Buffer, type: string): Promise<UploadResult | null>;
  get(accountId: number, blobId: string): Promise<{ data: Buffer; type: string } | null>;
}

export interface UploadLimits {
  ttlMs: number;
  quotaBytes: number;
}

/** The limits [jmap] sets (uploadTtlSec, uploadQuotaBytes). */
export function uploadLimitsOf(jmap: { uploadTtlSec: number; uploadQuotaBytes: number }): UploadLimits {
  return { ttlMs: jmap.uploadTtlSec * 1000, quotaBytes: jmap.uploadQuotaBytes };
}

export function uploadBlobId(data: Buffer): string {
  return `G${createHash("sha256").update(data).digest("hex")}`;
}

interface Entry {
  data: Buffer;
  type: string;
  expires: number;
}

/** Expired entries are dropped on every access to the account. */
export class MemoryUploads implements UploadStore {
  private readonly accounts = new Map<number, Map<string, Entry>>();

  constructor(
    private readonly limits: UploadLimits,
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

  async put(accountId: number, data: Buffer, type: string): Promise<UploadResult | null> {
    const m = this.of(accountId);
    const blobId = uploadBlobId(data);
    const existing = m.get(blobId);
    const used = [...m.values()].reduce((n, e) => n + e.data.length, 0) - (existing?.data.length ?? 0);
    if (used + data.length > this.limits.quotaBytes) return null;
    m.set(blobId, { data, type, expires: this.now() + this.limits.ttlMs });
    return { blobId, type, size: data.length };
  }

  async get(accountId: number, blobId: string): Promise<{ data: Buffer; type: string } | null> {
    const e = this.of(accountId).get(blobId);
    return e ? { data: e.data, type: e.type } : null;
  }
}
