// PLACEHOLDER (P4 replaces this file): ReportSendingStore on PostgreSQL.
import type { ReportSendingStore } from "../types.js";
import type { PgCtx } from "./context.js";

export function createReportSending(_ctx: PgCtx): ReportSendingStore {
  return new Proxy({} as ReportSendingStore, {
    get: (_t, p) => () =>
      Promise.reject(new Error(`ReportSendingStore.${String(p)}: not implemented on PostgreSQL yet`)),
  });
}
