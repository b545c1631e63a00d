// Change events between nodes (src/cluster/redis-notifier.ts, src/store/postgres/notifier.ts):
// an envelope of JSON with the publishing node and notifier, checked on arrival so a listener
// never meets a malformed event.
import type { MailEvent } from "./notifier.js";

export interface Envelope {
  /** Node id, for logs. */
  n: string;
  /** The publishing notifier's origin id: a notifier ignores its own events coming back. */
  o: string;
  e: MailEvent;
}

const KINDS = new Set([
  "added",
  "flags",
  "expunged",
  "mailbox-created",
  "mailbox-renamed",
  "mailbox-deleted",
]);

export function parseEnvelope(message: string): Envelope | null {
  let v: unknown;
  try {
    v = JSON.parse(message);
  } catch {
    return null;
  }
  if (typeof v !== "object" || v === null) return null;
  const { n, o, e } = v as Partial<Envelope>;
  if (typeof n !== "string" || typeof o !== "string" || typeof e !== "object" || e === null) return null;
  if (!KINDS.has(e.kind) || !Number.isSafeInteger(e.accountId) || !Number.isSafeInteger(e.mailboxId))
    return null;
  if ("uids" in e) {
    if (!Array.isArray(e.uids) || !e.uids.every((u) => Number.isSafeInteger(u))) return null;
    if (!Number.isSafeInteger(e.modseq)) return null;
  } else if (typeof (e as { name?: unknown }).name !== "string") return null;
  return { n, o, e };
}
