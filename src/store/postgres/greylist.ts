// GreylistStore on PostgreSQL (tables: schema-accounts.ts), shared by every node of a cluster.
// The rules are the SQLite store's (src/store/sqlite/greylist.ts, RFC 6647 §2.2). A decision that
// writes is one transaction that first locks the triplet's row (SELECT … FOR UPDATE), so two MX
// nodes seeing the same retry at once take turns: the first passes it and counts the pass
// towards its network, the second then reads it passed and counts nothing. Two first attempts
// both find no row; both record the same first sighting (an upsert) and both defer, which is
// the right answer for each. The common case, a sender that passed and was refreshed within the
// hour, is one read and writes nothing.
import { StoreError } from "../errors.js";
import { count, type NetworkRow, REFRESH_MS, SWEEP_PER_INSERT, type TripletRow } from "../shared/greylist.js";
import type { GreylistPolicy, GreylistResult, GreylistStore, GreylistTriplet } from "../types.js";
import type { PgCtx } from "./context.js";
import type { Tx } from "./db.js";

function millis(now: Date): number {
  const t = now instanceof Date ? now.getTime() : Number.NaN;
  if (!Number.isFinite(t)) throw new StoreError("invalid", "now is not a valid date");
  return t;
}

const TRIPLET =
  "SELECT first_seen, passed_at, touched_at, expires_at FROM greylist_triplets WHERE network = $1 AND sender = $2 AND recipient = $3";
const NETWORK = "SELECT passes, touched_at, expires_at FROM greylist_networks WHERE network = $1";

async function sweepTriplets(t: Pick<Tx, "run">, now: number, limit: number): Promise<number> {
  return t.run(
    `DELETE FROM greylist_triplets WHERE (network, sender, recipient) IN
       (SELECT network, sender, recipient FROM greylist_triplets WHERE expires_at <= $1
          ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    [now, limit],
  );
}

async function sweepNetworks(t: Pick<Tx, "run">, now: number, limit: number): Promise<number> {
  return t.run(
    `DELETE FROM greylist_networks WHERE network IN
       (SELECT network FROM greylist_networks WHERE expires_at <= $1
          ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    [now, limit],
  );
}

export function createGreylist(ctx: PgCtx): GreylistStore {
  const db = ctx.db;
  const allowed = (n: NetworkRow | null, t: number, p: GreylistPolicy): n is NetworkRow =>
    p.autoAllowAfter > 0 && n !== null && n.expires_at > t && n.passes >= p.autoAllowAfter;
  const fresh = (touched: number, t: number) => t - touched < REFRESH_MS;

  /** The read-only answer, when one suffices. */
  async function readOnly(g: GreylistTriplet, t: number, p: GreylistPolicy): Promise<GreylistResult | null> {
    const n = await db.one<NetworkRow>(NETWORK, [g.network]);
    if (allowed(n, t, p)) return fresh(n.touched_at, t) ? { verdict: "pass", by: "network" } : null;
    const r = await db.one<TripletRow>(TRIPLET, [g.network, g.sender, g.recipient]);
    if (r && r.expires_at > t && r.passed_at !== null && fresh(r.touched_at, t)) {
      return { verdict: "pass", by: "triplet" };
    }
    return null;
  }

  /** RFC 6647 §2.2: defer the first attempt, accept a retry after the delay and remember it. */
  async function decide(tx: Tx, g: GreylistTriplet, t: number, p: GreylistPolicy): Promise<GreylistResult> {
    const ttl = p.passedTtlSec * 1000;
    const key = [g.network, g.sender, g.recipient];
    const n = await tx.one<NetworkRow>(NETWORK, [g.network]);
    if (allowed(n, t, p)) {
      if (!fresh(n.touched_at, t))
        await tx.run(
          "UPDATE greylist_networks SET touched_at = $2, expires_at = $2::bigint + $3 WHERE network = $1",
          [g.network, t, ttl],
        );
      return { verdict: "pass", by: "network" };
    }
    const r = await tx.one<TripletRow>(`${TRIPLET} FOR UPDATE`, key);
    const pass = () =>
      tx.run(
        `UPDATE greylist_triplets SET passed_at = coalesce(passed_at, $4), touched_at = $4, expires_at = $4::bigint + $5
           WHERE network = $1 AND sender = $2 AND recipient = $3`,
        [...key, t, ttl],
      );
    if (!r || r.expires_at <= t) {
      await sweepTriplets(tx, t, SWEEP_PER_INSERT);
      await sweepNetworks(tx, t, SWEEP_PER_INSERT);
      await tx.run(
        `INSERT INTO greylist_triplets (network, sender, recipient, first_seen, passed_at, touched_at, expires_at)
         VALUES ($1, $2, $3, $4, NULL, $4, $4::bigint + $5)
         ON CONFLICT (network, sender, recipient) DO UPDATE SET first_seen = $4, passed_at = NULL,
           touched_at = $4, expires_at = $4::bigint + $5
           WHERE greylist_triplets.expires_at <= $4`,
        [...key, t, p.retryWindowSec * 1000],
      );
      return { verdict: "defer", retryAfterSec: Math.max(1, p.delaySec) };
    }
    if (r.passed_at !== null) {
      if (!fresh(r.touched_at, t)) await pass();
      return { verdict: "pass", by: "triplet" };
    }
    // An early retry does not restart the clock (RFC 6647 §2.2 leaves it open; restarting would
    // punish senders that retry often, as several MTAs do in their first minutes).
    const left = r.first_seen + p.delaySec * 1000 - t;
    if (left > 0) return { verdict: "defer", retryAfterSec: Math.ceil(left / 1000) };
    await pass();
    await tx.run(
      `INSERT INTO greylist_networks (network, passes, touched_at, expires_at) VALUES ($1, 1, $2, $2::bigint + $3)
       ON CONFLICT (network) DO UPDATE SET
         passes = CASE WHEN greylist_networks.expires_at <= $2 THEN 1 ELSE greylist_networks.passes + 1 END,
         touched_at = $2, expires_at = $2::bigint + $3`,
      [g.network, t, ttl],
    );
    return { verdict: "pass", by: "triplet" };
  }

  return {
    async check(triplet, now, policy) {
      const t = millis(now);
      for (const [k, v] of Object.entries(policy)) count(k, v);
      ctx.assertOpen();
      const g = { network: triplet.network, sender: triplet.sender, recipient: triplet.recipient };
      const quick = await readOnly(g, t, policy);
      if (quick) return quick;
      return ctx.write(async (tx) => ({ value: await decide(tx, g, t, policy) }));
    },

    async sweep(now, limit) {
      const t = millis(now);
      count("limit", limit);
      return ctx.write(async (tx) => {
        const a = await sweepTriplets(tx, t, limit);
        const b = await sweepNetworks(tx, t, Math.max(0, limit - a));
        return { value: a + b };
      });
    },
  };
}
