// PLACEHOLDER (P3 replaces this file): WebSessionStore on PostgreSQL.
import type { WebSessionStore } from "../types.js";
import type { PgCtx } from "./context.js";

export function createWebSessions(_ctx: PgCtx): WebSessionStore & { stop(): void } {
  const stub = new Proxy({} as WebSessionStore, {
    get: (_t, p) => () =>
      Promise.reject(new Error(`WebSessionStore.${String(p)}: not implemented on PostgreSQL yet`)),
  });
  return Object.assign(Object.create(stub), { stop() {} });
}
