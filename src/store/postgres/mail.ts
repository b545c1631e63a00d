// MailStore on PostgreSQL (issue 17), all but search (search.ts): mailboxes (mailboxes.ts), filing
// and reading messages (messages.ts, mail-file.ts), flags and expunge (mail-flags.ts), COPY and
// MOVE (mail-move.ts), SELECT's reads (mailbox-select.ts), listings and per-mailbox changes
// (mail-listing.ts), the account change log (changes.ts).
import type { MailStore } from "../types.js";
import { createChangeOps } from "./changes.js";
import type { PgCtx } from "./context.js";
import { createFlagOps } from "./mail-flags.js";
import { createListingOps } from "./mail-listing.js";
import { createMoveOps } from "./mail-move.js";
import { createSelectOps } from "./mailbox-select.js";
import { createMailboxOps } from "./mailboxes.js";
import { createMessageOps } from "./messages.js";
import { flagListCache } from "./rows.js";
import type { SearchKeys } from "./search.js";

export function createMailOps(ctx: PgCtx): Omit<MailStore, SearchKeys> {
  const mailboxes = createMailboxOps(ctx);
  const flagsOf = flagListCache();
  return {
    ...mailboxes,
    ...createMessageOps(ctx, flagsOf),
    ...createSelectOps(ctx, { flagsOf, claimRecent: mailboxes.claimRecent }),
    ...createFlagOps(ctx),
    ...createMoveOps(ctx),
    ...createListingOps(ctx),
    ...createChangeOps(ctx),
  };
}
