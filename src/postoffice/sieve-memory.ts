// Stage "sieve memory", right after "file": the duplicate tests' records (RFC 7352) the sieve
// stage kept back (AccountPlan.remember). RFC 7352 3 has the tracking list updated only once the
// script ran to its end and the message was delivered: written while the script ran, a filing
// that then failed (a full mailbox, a store error: the door answers 4xx or 5xx) would make the
// sender's retry a "duplicate", and `if duplicate { discard; }` would drop it. Written here, a
// failure before filing leaves no record, and the retry is judged afresh.
//
// SieveStore.duplicate asks again as it records, so :last (RFC 7352 3.3: a seen key's period
// starts again) and a record made meanwhile by another delivery come out as they would have.
// A record that cannot be written is logged, not thrown: the copies are filed and acknowledging
// them is right; the cost is one later duplicate not being recognized.
import type { Stage } from "./types.js";

export const sieveMemoryStage: Stage = {
  name: "sieve memory",
  // The sieve stage's doors: no other door has plans.
  doors: new Set(["inbound", "submission", "jmap", "redirect"]),
  async run(work, { ctx }) {
    for (const [accountId, plan] of work.plans) {
      // One record per key and period: the chain's scripts may each have asked.
      const done = new Set<string>();
      for (const d of plan.remember ?? []) {
        const id = `${d.key}\0${d.seconds}\0${d.last}`;
        if (done.has(id)) continue;
        done.add(id);
        try {
          await ctx.store.sieve.duplicate(accountId, d.key, d.at, d.seconds, d.last);
        } catch (error) {
          work.log.warn("sieve duplicate record not written", { accountId, error });
        }
      }
    }
    return "next";
  },
};
