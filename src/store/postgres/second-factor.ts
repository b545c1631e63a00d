// PLACEHOLDER (P3 replaces this file): SecondFactorStore on PostgreSQL.
import type { SecondFactorStore } from "../types.js";
import type { PgCtx } from "./context.js";

export function createSecondFactors(_ctx: PgCtx): SecondFactorStore {
  return new Proxy({} as SecondFactorStore, {
    get: (_t, p) => () =>
      Promise.reject(new Error(`SecondFactorStore.${String(p)}: not implemented on PostgreSQL yet`)),
  });
}
