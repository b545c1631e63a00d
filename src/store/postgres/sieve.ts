// PLACEHOLDER (P4 replaces this file): SieveStore on PostgreSQL.
import type { SieveStore } from "../types.js";
import type { PgCtx } from "./context.js";

export function createSieve(_ctx: PgCtx): SieveStore {
  return new Proxy({} as SieveStore, {
    get: (_t, p) => () =>
      Promise.reject(new Error(`SieveStore.${String(p)}: not implemented on PostgreSQL yet`)),
  });
}
