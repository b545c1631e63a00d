// PLACEHOLDER (P3 replaces this file): GreylistStore on PostgreSQL.
import type { GreylistStore } from "../types.js";
import type { PgCtx } from "./context.js";

export function createGreylist(_ctx: PgCtx): GreylistStore {
  return new Proxy({} as GreylistStore, {
    get: (_t, p) => () =>
      Promise.reject(new Error(`GreylistStore.${String(p)}: not implemented on PostgreSQL yet`)),
  });
}
