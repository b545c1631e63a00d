// PLACEHOLDER (P4 replaces this file): ReportStore on PostgreSQL.
import type { ReportStore } from "../types.js";
import type { PgCtx } from "./context.js";

export function createReports(_ctx: PgCtx): ReportStore {
  return new Proxy({} as ReportStore, {
    get: (_t, p) => () =>
      Promise.reject(new Error(`ReportStore.${String(p)}: not implemented on PostgreSQL yet`)),
  });
}
