// The account's mailboxes, loaded once per method call, with look-ups by id and by name.
import type { Mailbox } from "../../store/types.js";
import { parseMailboxId } from "../core/ids.js";
import type { MethodContext } from "../core/types.js";
import type { MailboxStats } from "./object.js";

export interface MailboxSet {
  list: Mailbox[];
  byId: Map<number, Mailbox>;
  byName: Map<string, Mailbox>;
  /** The mailbox of a JMAP id (or "#creationId"), if it is this account's. */
  find(id: string | null | undefined): Mailbox | null;
}

export async function loadMailboxes(mc: MethodContext): Promise<MailboxSet> {
  const list = await mc.services.app.store.mail.listMailboxes(mc.account.id);
  const byId = new Map(list.map((m) => [m.id, m]));
  const byName = new Map(list.map((m) => [m.name, m]));
  return {
    list,
    byId,
    byName,
    find(id) {
      if (typeof id !== "string") return null;
      const real = id.startsWith("#") ? mc.createdIds.get(id.slice(1)) : id;
      const n = parseMailboxId(real);
      return n === null ? null : (byId.get(n) ?? null);
    },
  };
}

/** RFC 8621 2.1 counts from the store: emails from mailboxCounts, threads from
 *  mailboxThreadCounts (one indexed pass over the mailbox), cached while neither the mailbox's
 *  highest modseq nor the account's thread state moves (a thread merge may change the thread
 *  counts of a mailbox whose messages did not change). */
export async function mailboxStats(
  mc: MethodContext,
  m: Mailbox,
  threadState: number,
): Promise<MailboxStats> {
  const key = `${m.highestModseq}:${threadState}`;
  const cache = mc.services.mailboxStats;
  const hit = cache.get(m.id);
  if (hit && hit.key === key) return hit.stats;
  const store = mc.services.app.store.mail;
  const counts = await store.mailboxCounts(m.id);
  const threads = await store.mailboxThreadCounts(m.id);
  const stats: MailboxStats = {
    totalEmails: counts.messages,
    unreadEmails: counts.unseen,
    totalThreads: threads.threads,
    unreadThreads: threads.unseenThreads,
  };
  cache.delete(m.id);
  cache.set(m.id, { key, stats });
  // Map order is insertion order: the first entry is the least recently computed.
  while (cache.size > mc.services.limits.mailboxStatsCacheSize) cache.delete(cache.keys().next().value!);
  return stats;
}
