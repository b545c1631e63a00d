// PLACEHOLDER (P1 replaces this file): MailStore on PostgreSQL, all but search.
import type { MailStore } from "../types.js";
import type { PgCtx } from "./context.js";
import type { SearchKeys } from "./search.js";

export function createMailOps(_ctx: PgCtx): Omit<MailStore, SearchKeys> {
  return new Proxy({} as Omit<MailStore, SearchKeys>, {
    get: (_t, p) => () =>
      Promise.reject(new Error(`MailStore.${String(p)}: not implemented on PostgreSQL yet`)),
  });
}
