// MailStore.selectMailbox and listNew made of the store's own reads, one after the other: the
// SQLite store's (its reads are in-process, so one call or three cost the same). The PostgreSQL
// store answers each in one statement instead (postgres/mailbox-select.ts). Reading the mailbox
// first keeps the contract: the listing, read after it, holds every change up to its
// highestModseq.
import { StoreError } from "../errors.js";
import type { MailboxSelection, MailStore, MessageFlags, RecentClaim } from "../types.js";

export async function selectByParts(
  mail: Pick<MailStore, "getMailbox" | "listFlags" | "claimRecent">,
  accountId: number,
  name: string,
  opts: { recent: "claim" | "peek" | "none" },
): Promise<MailboxSelection | null> {
  const mailbox = await mail.getMailbox(accountId, name);
  if (!mailbox) return null;
  try {
    const messages = await mail.listFlags(mailbox.id);
    const recent =
      opts.recent === "none" ? null : await mail.claimRecent(mailbox.id, { peek: opts.recent === "peek" });
    return { mailbox, messages, recent };
  } catch (e) {
    // Deleted between the reads: as if it had not been there.
    if (e instanceof StoreError && e.code === "not-found") return null;
    throw e;
  }
}

export async function listNewByParts(
  mail: Pick<MailStore, "listFlags" | "claimRecent">,
  mailboxId: number,
  opts: { minUid: number; recent: "claim" | "peek" | "none" },
): Promise<{ messages: MessageFlags[]; recent: RecentClaim | null }> {
  const messages = await mail.listFlags(mailboxId, { minUid: opts.minUid });
  if (messages.length === 0 || opts.recent === "none") return { messages, recent: null };
  return { messages, recent: await mail.claimRecent(mailboxId, { peek: opts.recent === "peek" }) };
}
