// State shared by every POP3 listener of one app (port 110 and 995 alike): the cache of message
// sizes (LIST/STAT). Keyed by the AppContext, so two apps in one process (tests, restarts) never
// share it. The maildrop lock is ctx.locks (src/store/locks.ts), shared between nodes when they are.

import type { AppContext } from "../server/context.js";

/** blobId (a content hash, so the body never changes) → its LIST size (wire/dot-stuff.ts messageSize). Least recently used go first. */
export class SizeCache {
  private readonly map = new Map<string, number>();
  constructor(private readonly maxEntries: number) {}

  get(blobId: string): number | undefined {
    const v = this.map.get(blobId);
    if (v !== undefined) {
      this.map.delete(blobId);
      this.map.set(blobId, v);
    }
    return v;
  }

  set(blobId: string, size: number): void {
    if (this.maxEntries <= 0) return;
    this.map.delete(blobId);
    this.map.set(blobId, size);
    while (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.map.delete(oldest.value);
    }
  }

  get size(): number {
    return this.map.size;
  }
}

export interface Pop3Shared {
  sizes: SizeCache;
}

const shared = new WeakMap<AppContext, Pop3Shared>();

export function sharedFor(ctx: AppContext): Pop3Shared {
  let s = shared.get(ctx);
  if (!s) {
    s = { sizes: new SizeCache(ctx.config.pop3.sizeCacheEntries) };
    shared.set(ctx, s);
  }
  return s;
}
