// The handles a shared LockService has handed out and not yet had back (src/cluster/redis-locks.ts,
// src/workers/ipc-locks.ts): close() releases them all, so a node or worker that stops frees its
// locks at once rather than when a lease runs out or the supervisor notices.
import type { LockHandle } from "./locks.js";

export class HeldLocks<H extends LockHandle> {
  private readonly handles = new Set<H>();

  /** Keeps the handle `make` returns until it is released: `make` gets the function that its
   *  release() calls to be forgotten here. */
  add(make: (forget: () => void) => H): H {
    const h = make(() => this.handles.delete(h));
    this.handles.add(h);
    return h;
  }

  async releaseAll(): Promise<void> {
    await Promise.all([...this.handles].map((h) => h.release()));
  }
}
