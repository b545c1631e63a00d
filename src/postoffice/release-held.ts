// Releasing one held queue entry (state "held": never claimed by the delivery engine) for
// delivery now — one path for the admin page and `yubin queue release`. Entries are held for two
// reasons: their account's outgoing mail is frozen (sending-limits.ts), or the outbound spam
// score held them. An entry whose sender is still frozen is refused: releasing mail one message
// at a time behind the freeze's back would defeat it; the admin unfreezes the account instead,
// which releases all of its held mail at once (SendingStore.unfreezeSending).
import { StoreError } from "../store/errors.js";
import type { QueuedMessage, Store } from "../store/types.js";

export async function releaseHeld(
  store: Pick<Store, "queue" | "sending">,
  id: number,
  now: Date,
): Promise<QueuedMessage> {
  const q = await store.queue.getQueued(id);
  if (!q) throw new StoreError("not-found", `no queue entry ${id}`);
  if (q.state !== "held") throw new StoreError("invalid", `queue entry ${id} is not held (it is ${q.state})`);
  if (q.accountId !== null) {
    const policy = await store.sending.getSendingPolicy(q.accountId);
    if (policy.frozenAt !== null)
      throw new StoreError(
        "invalid",
        `queue entry ${id} is held because its account's sending is frozen: unfreeze the account instead (it releases all its held mail)`,
      );
  }
  return store.queue.updateQueued(id, { state: "queued", nextAttemptAt: now });
}
