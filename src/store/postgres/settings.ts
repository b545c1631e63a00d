// PLACEHOLDER (P3 replaces this file): SettingsStore on PostgreSQL.
import type { SettingsStore } from "../types.js";
import type { PgCtx } from "./context.js";

export function createSettings(_ctx: PgCtx): SettingsStore {
  return new Proxy({} as SettingsStore, {
    get: (_t, p) => () =>
      Promise.reject(new Error(`SettingsStore.${String(p)}: not implemented on PostgreSQL yet`)),
  });
}
