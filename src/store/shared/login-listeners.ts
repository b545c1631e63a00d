// The listeners of WebSessionStore.onLoginChange, the same on the SQLite (sqlite/web-sessions.ts)
// and PostgreSQL (postgres/web-sessions.ts) stores: each is told of every account whose logins
// changed; one that throws is logged and the others are still told. How changes are noticed
// (SQLite: a trigger and a poll; PostgreSQL: NOTIFY and a poll) is each backend's, watched only
// while someone listens.
import type { Logger } from "../../log/logger.js";

export class LoginListeners {
  private readonly listeners = new Set<(accountId: number) => void>();

  /** `watch` starts noticing changes when the first listener comes, `unwatch` stops when the last
   *  goes (each may be called again while already in that state). */
  constructor(
    private readonly log: Logger,
    private readonly watch: () => void,
    private readonly unwatch: () => void,
  ) {}

  get size(): number {
    return this.listeners.size;
  }

  emit(accountId: number): void {
    for (const l of this.listeners) {
      try {
        l(accountId);
      } catch (error) {
        this.log.error("login change listener failed", { error });
      }
    }
  }

  /** onLoginChange: the listener is told from now on; the function returned removes it. */
  add(listener: (accountId: number) => void): () => void {
    this.listeners.add(listener);
    this.watch();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.unwatch();
    };
  }
}
