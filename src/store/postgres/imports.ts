// PLACEHOLDER (P2 replaces this file): ImportStore on PostgreSQL.
import type { ImportStore } from "../types.js";
import type { PgCtx } from "./context.js";

export function createImports(_ctx: PgCtx): ImportStore {
  return new Proxy({} as ImportStore, {
    get: (_t, p) => () =>
      Promise.reject(new Error(`ImportStore.${String(p)}: not implemented on PostgreSQL yet`)),
  });
}
