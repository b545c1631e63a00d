// PLACEHOLDER (P2 replaces this file): MailStore's searches on PostgreSQL.
import type { MailStore } from "../types.js";
import type { PgCtx } from "./context.js";

/** The MailStore methods this file implements. */
export type SearchKeys = "searchHeader" | "listEnvelopes" | "searchText" | "matchText";

export function createSearchOps(_ctx: PgCtx): Pick<MailStore, SearchKeys> & { stop(): Promise<void> } {
  const stub = new Proxy({} as Pick<MailStore, SearchKeys>, {
    get: (_t, p) => () =>
      Promise.reject(new Error(`MailStore.${String(p)}: not implemented on PostgreSQL yet`)),
  });
  return Object.assign(Object.create(stub), { async stop() {} });
}
