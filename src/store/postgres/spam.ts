// PLACEHOLDER (P4 replaces this file): SpamStore on PostgreSQL.
import type { SpamStore } from "../types.js";
import type { PgCtx } from "./context.js";

export function createSpam(_ctx: PgCtx): SpamStore {
  return new Proxy({} as SpamStore, {
    get: (_t, p) => () =>
      Promise.reject(new Error(`SpamStore.${String(p)}: not implemented on PostgreSQL yet`)),
  });
}
