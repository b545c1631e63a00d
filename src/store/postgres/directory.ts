// PLACEHOLDER (P1 replaces this file): DirectoryStore on PostgreSQL.
import type { DirectoryStore } from "../types.js";
import type { PgCtx } from "./context.js";

export function createDirectory(_ctx: PgCtx): DirectoryStore {
  return new Proxy({} as DirectoryStore, {
    get: (_t, p) => () =>
      Promise.reject(new Error(`DirectoryStore.${String(p)}: not implemented on PostgreSQL yet`)),
  });
}
