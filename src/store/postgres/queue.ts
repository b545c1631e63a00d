// PLACEHOLDER (P3 replaces this file): QueueStore on PostgreSQL.
import type { QueueStore } from "../types.js";
import type { PgCtx } from "./context.js";

export function createQueue(_ctx: PgCtx): QueueStore {
  return new Proxy({} as QueueStore, {
    get: (_t, p) => () =>
      Promise.reject(new Error(`QueueStore.${String(p)}: not implemented on PostgreSQL yet`)),
  });
}
