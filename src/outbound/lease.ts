// The lease a delivery engine holds on one queue entry while it works it (issue 17: several
// engines on one queue deliver each message exactly once). The claim's token (the claim
// generation, ClaimedQueuedMessage.lease) fences every write of the attempt: renewals, and the
// final update or removal, are conditional on it in the store, so once another engine claimed
// the entry (our lease lapsed: renewals refused or late, a store busy or away, a starved loop),
// this engine can neither keep it nor overwrite the new owner's state.
//
// The point of no return is the end of DATA: before it, confirm() must know the lease is still
// held, or the transaction is dropped without the final "." (client.ts) and the entry is left to
// its new owner. A remote that took the end of DATA but whose reply was lost stays the classic
// at-least-once window (RFC 1047): nothing on our side can close it.
import type { Logger } from "../log/logger.js";
import type { QueueStore } from "../store/types.js";

/** The transaction was dropped before the end of DATA: the lease could not be confirmed (lost to
 *  another claim, or the store did not answer). */
export class LeaseLostError extends Error {
  override name = "LeaseLostError";
}

/** What a renewal learned: still ours, taken by another claim, or not known (the store failed). */
export type LeaseState = "held" | "lost" | "unknown";

export interface LeaseOptions {
  queue: Pick<QueueStore, "renewLease">;
  id: number;
  cid?: string;
  token: number;
  /** When the claim's lease ends (ms since the epoch). */
  until: number;
  leaseMs: number;
  now: () => number;
  log: Logger;
  /** Resolves once no claim of this engine is in flight: a refusal may come from our own claim
   *  of the entry (its lease lapsed while we work it), whose new token we then adopt. */
  claimsSeen: () => Promise<void>;
}

/** At most this many tokens adopted during one conditional write before giving up. */
const MAX_ADOPTIONS = 3;

export class QueueLease {
  /** The token our writes carry: the claim's, or a later claim's of this same engine. */
  token: number;
  /** Until when the lease is known to be ours (the end the last successful write set). */
  private validUntil: number;
  private warned = false;

  constructor(private readonly o: LeaseOptions) {
    this.token = o.token;
    this.validUntil = o.until;
  }

  /** This engine claimed the entry again while it works it: the new claim's token is ours. */
  adopt(token: number, until: number): void {
    this.token = token;
    this.validUntil = until;
    this.warned = false;
  }

  /** Extends the lease by leaseMs under our token. */
  async renew(): Promise<LeaseState> {
    const until = this.o.now() + this.o.leaseMs;
    const ok = await this.write((token) => this.o.queue.renewLease(this.o.id, token, new Date(until))).then(
      (r) => r !== null,
      () => null,
    );
    if (ok === null) return "unknown";
    if (!ok) return "lost";
    this.validUntil = Math.max(this.validUntil, until);
    return "held";
  }

  /** Before the end of DATA: true when the lease is ours for at least half a lease more (the
   *  last renewal is recent), else after one renewal that succeeded. A lease not confirmed
   *  (lost, or the store not answering) means no end of DATA. */
  async confirm(): Promise<boolean> {
    if (this.validUntil - this.o.now() >= this.o.leaseMs / 2) return true;
    return (await this.renew()) === "held";
  }

  /** One write conditional on our token (`run` returns null or false when the store refused
   *  it): retried with a token this engine's own claim gave meanwhile; null when another engine
   *  holds the entry (logged once). Store errors are thrown. */
  async write<T>(run: (token: number) => Promise<T | null | false>): Promise<T | null> {
    for (let i = 0; i <= MAX_ADOPTIONS; i++) {
      const token = this.token;
      const r = await run(token);
      if (r !== null && r !== false) return r;
      await this.o.claimsSeen();
      if (this.token === token) break;
    }
    if (!this.warned) {
      this.warned = true;
      this.o.log.warn("queue lease lost: the entry was claimed by another engine, or removed", {
        queueId: this.o.id,
        cid: this.o.cid,
        lease: this.token,
      });
    }
    return null;
  }
}
