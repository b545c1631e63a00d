// StatsStore on PostgreSQL (tables: schema-filters.ts): the admin charts' counters, which every
// node's recorder adds to. A batch is summed per key first (an upsert may not meet one row twice)
// and then written as one statement per table (unnest() of arrays), whatever its size; the
// increments and the gauges' maximum are computed by the server (ON CONFLICT … DO UPDATE), so
// concurrent writers on several nodes add up rather than overwrite one another.
import { StoreError } from "../errors.js";
import type { StatsPoint, StatsStore } from "../types.js";
import type { PgCtx } from "./context.js";
import { db, tx } from "./filter-kit.js";

const MAX_NAME = 64;
const HOURS_PER_DAY = 24;

function checkName(name: string): void {
  if (typeof name !== "string" || name.length === 0 || name.length > MAX_NAME || name.includes("\0")) {
    throw new StoreError("invalid", `invalid stats series name ${JSON.stringify(name)}`);
  }
}

function checkCount(what: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new StoreError("invalid", `invalid stats ${what} ${v}`);
}

/** Values per (name, time), as the arrays one statement takes, in key order (name, then time),
 *  so concurrent batches take rows in the same order and wait rather than deadlock. */
class Batch {
  private readonly values = new Map<string, Map<number, number>>();

  constructor(private readonly merge: (a: number, b: number) => number) {}

  put(name: string, t: number, n: number): void {
    let byTime = this.values.get(name);
    if (!byTime) {
      byTime = new Map();
      this.values.set(name, byTime);
    }
    const cur = byTime.get(t);
    byTime.set(t, cur === undefined ? n : this.merge(cur, n));
  }

  arrays(): [names: string[], times: number[], values: number[]] {
    const names: string[] = [];
    const times: number[] = [];
    const values: number[] = [];
    for (const name of [...this.values.keys()].sort()) {
      const byTime = this.values.get(name) ?? new Map<number, number>();
      for (const t of [...byTime.keys()].sort((a, b) => a - b)) {
        names.push(name);
        times.push(t);
        values.push(byTime.get(t) ?? 0);
      }
    }
    return [names, times, values];
  }
}

const upsert = (table: "stats_hourly" | "stats_daily", column: "hour" | "day", merged: string) =>
  `INSERT INTO ${table} (name, ${column}, n)
   SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])
   ON CONFLICT (name, ${column}) DO UPDATE SET n = ${merged}`;

const ADD_HOURS = upsert("stats_hourly", "hour", "stats_hourly.n + excluded.n");
const ADD_DAYS = upsert("stats_daily", "day", "stats_daily.n + excluded.n");
const MAX_HOURS = upsert("stats_hourly", "hour", "greatest(stats_hourly.n, excluded.n)");
const MAX_DAYS = upsert("stats_daily", "day", "greatest(stats_daily.n, excluded.n)");

export function createStats(ctx: PgCtx): StatsStore {
  const read = async (
    table: "stats_hourly" | "stats_daily",
    names: readonly string[],
    from: number,
    to: number,
  ): Promise<StatsPoint[]> => {
    for (const n of names) checkName(n);
    checkCount("range start", from);
    checkCount("range end", to);
    if (names.length === 0) return [];
    const column = table === "stats_hourly" ? "hour" : "day";
    // By name in the order asked, then by time.
    const rows = await db(ctx).rows<{ name: string; t: number; n: number }>(
      `SELECT name, ${column} AS t, n FROM ${table}
       WHERE name = ANY($1::text[]) AND ${column} >= $2 AND ${column} < $3
       ORDER BY array_position($1::text[], name::text), ${column}`,
      [names, from, to],
    );
    return rows.map((r) => ({ name: r.name, at: r.t, n: r.n }));
  };

  return {
    async add(entries) {
      const hours = new Batch((a, b) => a + b);
      const days = new Batch((a, b) => a + b);
      for (const e of entries) {
        checkName(e.name);
        checkCount("hour", e.hour);
        checkCount("count", e.n);
        if (e.n === 0) continue;
        hours.put(e.name, e.hour, e.n);
        days.put(e.name, Math.floor(e.hour / HOURS_PER_DAY), e.n);
      }
      const h = hours.arrays();
      if (h[0].length === 0) return;
      const d = days.arrays();
      await tx(ctx, async (q) => {
        await q.run(ADD_HOURS, h);
        await q.run(ADD_DAYS, d);
      });
    },

    async gauge(name, hour, value) {
      checkName(name);
      checkCount("hour", hour);
      checkCount("gauge value", value);
      await tx(ctx, async (q) => {
        await q.run(MAX_HOURS, [[name], [hour], [value]]);
        await q.run(MAX_DAYS, [[name], [Math.floor(hour / HOURS_PER_DAY)], [value]]);
      });
    },

    series: (names, fromHour, toHour) => read("stats_hourly", names, fromHour, toHour),
    daily: (names, fromDay, toDay) => read("stats_daily", names, fromDay, toDay),

    async prune({ hourlyBefore, dailyBefore }) {
      checkCount("prune hour", hourlyBefore);
      checkCount("prune day", dailyBefore);
      return tx(
        ctx,
        async (q) =>
          (await q.run("DELETE FROM stats_hourly WHERE hour < $1", [hourlyBefore])) +
          (await q.run("DELETE FROM stats_daily WHERE day < $1", [dailyBefore])),
      );
    },
  };
}
