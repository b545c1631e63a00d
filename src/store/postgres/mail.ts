// MailStore on PostgreSQL (issue 17), all but search (search.ts): mailboxes (mailboxes.ts), filing
// and reading messages (messages.ts, mail-file.ts), the account change log (changes.ts).
import type { MailStore } from "../types.js";
import { createChangeOps } from "./changes.js";
import type { PgCtx } from "./context.js";
import { createMailboxOps } from "./mailboxes.js";
import { createMessageOps } from "./messages.js";
import type { SearchKeys } from "./search.js";

/** Keys still to be implemented by mail-*.ts (flags, expunge, copy/move, listings). */
type Pending =
  | "setFlags"
  | "expunge"
  | "copy"
  | "move"
  | "changesSince"
  | "threadMessages"
  | "listAccountMessages"
  | "mailboxMessageIds"
  | "mailboxMessagePosition"
  | "mailboxMessageCount"
  | "mailboxThreadCounts";

const PENDING: readonly Pending[] = [
  "setFlags",
  "expunge",
  "copy",
  "move",
  "changesSince",
  "threadMessages",
  "listAccountMessages",
  "mailboxMessageIds",
  "mailboxMessagePosition",
  "mailboxMessageCount",
  "mailboxThreadCounts",
];

function pending(): Pick<MailStore, Pending> {
  const out: Record<string, () => Promise<never>> = {};
  for (const k of PENDING)
    out[k] = () => Promise.reject(new Error(`MailStore.${k}: not implemented on PostgreSQL yet`));
  return out as unknown as Pick<MailStore, Pending>;
}

export function createMailOps(ctx: PgCtx): Omit<MailStore, SearchKeys> {
  return {
    ...pending(),
    ...createMailboxOps(ctx),
    ...createMessageOps(ctx),
    ...createChangeOps(ctx),
  };
}
