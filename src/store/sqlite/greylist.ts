// GreylistStore on SQLite (tables: greylist-schema.ts). A decision that must write (a first
// attempt, a retry, a refresh of an old entry) is one job in the group commit (writer.ts), so the
// read-decide-write is atomic against every other check and shares its fsync with the deliveries
// of the moment. The common case of a known sender, a triplet or network that passed and was
// refreshed within the hour, is a read and writes nothing.
import { StoreError } from "../errors.js";
import { count, type NetworkRow, REFRESH_MS, SWEEP_PER_INSERT, type TripletRow } from "../shared/greylist.js";
import type { GreylistPolicy, GreylistResult, GreylistStore, GreylistTriplet } from "../types.js";
import type { Ctx } from "./context.js";

/** A write's time and how long from it the entry is kept, in milliseconds. */
interface Timed {
  t: number;
  keep: number;
}

function millis(now: Date): number {
  const t = now.getTime();
  if (!Number.isFinite(t)) throw new StoreError("invalid", "now is not a valid date");
  return t;
}

export function createGreylist(ctx: Ctx): GreylistStore {
  const db = ctx.db;
  type Key = [string, string, string];
  const s = {
    triplet: db.prepare<Key, TripletRow>(
      "SELECT first_seen, passed_at, touched_at, expires_at FROM greylist_triplets WHERE network = ? AND sender = ? AND recipient = ?",
    ),
    network: db.prepare<[string], NetworkRow>(
      "SELECT passes, touched_at, expires_at FROM greylist_networks WHERE network = ?",
    ),
    start: db.prepare<[GreylistTriplet & Timed]>(
      `INSERT INTO greylist_triplets (network, sender, recipient, first_seen, passed_at, touched_at, expires_at)
       VALUES (@network, @sender, @recipient, @t, NULL, @t, @t + @keep)
       ON CONFLICT DO UPDATE SET first_seen = @t, passed_at = NULL, touched_at = @t, expires_at = @t + @keep`,
    ),
    pass: db.prepare<[GreylistTriplet & Timed]>(
      `UPDATE greylist_triplets SET passed_at = coalesce(passed_at, @t), touched_at = @t, expires_at = @t + @keep
       WHERE network = @network AND sender = @sender AND recipient = @recipient`,
    ),
    countPass: db.prepare<[{ network: string } & Timed]>(
      `INSERT INTO greylist_networks (network, passes, touched_at, expires_at) VALUES (@network, 1, @t, @t + @keep)
       ON CONFLICT DO UPDATE SET passes = CASE WHEN expires_at <= @t THEN 1 ELSE passes + 1 END,
         touched_at = @t, expires_at = @t + @keep`,
    ),
    touchNetwork: db.prepare<[{ network: string } & Timed]>(
      "UPDATE greylist_networks SET touched_at = @t, expires_at = @t + @keep WHERE network = @network",
    ),
    sweepTriplets: db.prepare<[number, number]>(
      `DELETE FROM greylist_triplets WHERE (network, sender, recipient) IN
         (SELECT network, sender, recipient FROM greylist_triplets WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)`,
    ),
    sweepNetworks: db.prepare<[number, number]>(
      `DELETE FROM greylist_networks WHERE network IN
         (SELECT network FROM greylist_networks WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)`,
    ),
  };

  const allowed = (n: NetworkRow | undefined, t: number, p: GreylistPolicy): n is NetworkRow =>
    p.autoAllowAfter > 0 && n !== undefined && n.expires_at > t && n.passes >= p.autoAllowAfter;
  const fresh = (touched: number, t: number) => t - touched < REFRESH_MS;

  /** The read-only answer, when one suffices. */
  function readOnly(g: GreylistTriplet, t: number, p: GreylistPolicy): GreylistResult | null {
    const n = s.network.get(g.network);
    if (allowed(n, t, p)) return fresh(n.touched_at, t) ? { verdict: "pass", by: "network" } : null;
    const r = s.triplet.get(g.network, g.sender, g.recipient);
    if (r && r.expires_at > t && r.passed_at !== null && fresh(r.touched_at, t)) {
      return { verdict: "pass", by: "triplet" };
    }
    return null;
  }

  /** RFC 6647 §2.2: defer the first attempt, accept a retry after the delay and remember it. */
  function decide(g: GreylistTriplet, t: number, p: GreylistPolicy): GreylistResult {
    const ttl = p.passedTtlSec * 1000;
    // The three values alone, whatever else the caller's object carries.
    const key = { network: g.network, sender: g.sender, recipient: g.recipient };
    const n = s.network.get(g.network);
    if (allowed(n, t, p)) {
      if (!fresh(n.touched_at, t)) s.touchNetwork.run({ network: g.network, t, keep: ttl });
      return { verdict: "pass", by: "network" };
    }
    const r = s.triplet.get(g.network, g.sender, g.recipient);
    if (!r || r.expires_at <= t) {
      s.sweepTriplets.run(t, SWEEP_PER_INSERT);
      s.sweepNetworks.run(t, SWEEP_PER_INSERT);
      s.start.run({ ...key, t, keep: p.retryWindowSec * 1000 });
      return { verdict: "defer", retryAfterSec: Math.max(1, p.delaySec) };
    }
    if (r.passed_at !== null) {
      if (!fresh(r.touched_at, t)) s.pass.run({ ...key, t, keep: ttl });
      return { verdict: "pass", by: "triplet" };
    }
    // An early retry does not restart the clock (RFC 6647 §2.2 leaves it open; restarting would
    // punish senders that retry often, as several MTAs do in their first minutes).
    const left = r.first_seen + p.delaySec * 1000 - t;
    if (left > 0) return { verdict: "defer", retryAfterSec: Math.ceil(left / 1000) };
    s.pass.run({ ...key, t, keep: ttl });
    s.countPass.run({ network: g.network, t, keep: ttl });
    return { verdict: "pass", by: "triplet" };
  }

  return {
    async check(triplet, now, policy) {
      const t = millis(now);
      for (const [k, v] of Object.entries(policy)) count(k, v);
      const quick = ctx.read(() => readOnly(triplet, t, policy));
      if (quick) return quick;
      return ctx.grouped(() => ({ value: decide(triplet, t, policy) }));
    },
    async sweep(now, limit) {
      const t = millis(now);
      count("limit", limit);
      return ctx.grouped(() => {
        const a = s.sweepTriplets.run(t, limit).changes;
        const b = s.sweepNetworks.run(t, Math.max(0, limit - a)).changes;
        return { value: a + b };
      });
    },
  };
}
