// PLACEHOLDER (P3 replaces this file): AppPasswordStore on PostgreSQL.
import type { AppPasswordStore } from "../types.js";
import type { PgCtx } from "./context.js";

export function createAppPasswords(_ctx: PgCtx): AppPasswordStore {
  return new Proxy({} as AppPasswordStore, {
    get: (_t, p) => () =>
      Promise.reject(new Error(`AppPasswordStore.${String(p)}: not implemented on PostgreSQL yet`)),
  });
}
