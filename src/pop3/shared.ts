// State shared by every POP3 listener of one app (port 110 and 995 alike): the maildrop locks
// and the cache of message sizes (LIST/STAT). Keyed by the AppContext, so two apps in one process (tests,
// restarts) never share them.
//
// The lock is RFC 1939 §8's exclusive-access lock on the maildrop, held from login to the end of
// the session. It lives in this process: with several nodes sharing one store it must move to a
// shared lock service (the same place CounterStore would go).

import type { AppContext } from "../server/context.js";

export class MaildropLocks {
  private readonly held = new Set<number>();

  /** Take the lock on an account's maildrop; returns its release function, or null if held. */
  acquire(accountId: number): (() => void) | null {
    if (this.held.has(accountId)) return null;
    this.held.add(accountId);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held.delete(accountId);
    };
  }
}

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
  locks: MaildropLocks;
  sizes: SizeCache;
}

const shared = new WeakMap<AppContext, Pop3Shared>();

export function sharedFor(ctx: AppContext): Pop3Shared {
  let s = shared.get(ctx);
  if (!s) {
    s = { locks: new MaildropLocks(), sizes: new SizeCache(ctx.config.pop3.sizeCacheEntries) };
    shared.set(ctx, s);
  }
  return s;
}
