// PLACEHOLDER (P3 replaces this file): SendingStore on PostgreSQL.
import type { SendingStore } from "../types.js";
import type { PgCtx } from "./context.js";

export function createSending(_ctx: PgCtx): SendingStore {
  return new Proxy({} as SendingStore, {
    get: (_t, p) => () =>
      Promise.reject(new Error(`SendingStore.${String(p)}: not implemented on PostgreSQL yet`)),
  });
}
