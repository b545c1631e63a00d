// MailStore on PostgreSQL (issue 17), all but search (search.ts): mailboxes (mailboxes.ts), filing
// and reading messages (messages.ts, mail-file.ts), flags and expunge (mail-flags.ts), COPY and
// MOVE (mail-move.ts), listings and per-mailbox changes (mail-listing.ts), the account change log
// (changes.ts).
import type { MailStore } from "../types.js";
import { createChangeOps } from "./changes.js";
import type { PgCtx } from "./context.js";
import { createFlagOps } from "./mail-flags.js";
import { createListingOps } from "./mail-listing.js";
import { createMoveOps } from "./mail-move.js";
import { createMailboxOps } from "./mailboxes.js";
import { createMessageOps } from "./messages.js";
import type { SearchKeys } from "./search.js";

export function createMailOps(ctx: PgCtx): Omit<MailStore, SearchKeys> {
  return {
    ...createMailboxOps(ctx),
    ...createMessageOps(ctx),
    ...createFlagOps(ctx),
    ...createMoveOps(ctx),
    ...createListingOps(ctx),
    ...createChangeOps(ctx),
  };
}
