// PLACEHOLDER (P4 replaces this file): StatsStore on PostgreSQL.
import type { StatsStore } from "../types.js";
import type { PgCtx } from "./context.js";

export function createStats(_ctx: PgCtx): StatsStore {
  return new Proxy({} as StatsStore, {
    get: (_t, p) => () =>
      Promise.reject(new Error(`StatsStore.${String(p)}: not implemented on PostgreSQL yet`)),
  });
}
