// StatsStore on SQLite (tables: stats-schema.ts). A batch of counts is one job in the group
// commit (writer.ts): the recorder flushes every minute or so, so this costs one savepoint in a
// commit that mail deliveries share, never an fsync of its own per event.
import { StoreError } from "../errors.js";
import type { StatsEntry, StatsPoint, StatsStore } from "../types.js";
import type { Ctx } from "./context.js";

const MAX_NAME = 64;
const HOURS_PER_DAY = 24;

function checkName(name: string): void {
  if (typeof name !== "string" || name.length === 0 || name.length > MAX_NAME) {
    throw new StoreError("invalid", `invalid stats series name ${JSON.stringify(name)}`);
  }
}

function checkCount(what: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new StoreError("invalid", `invalid stats ${what} ${v}`);
}

function checkNames(names: readonly string[]): void {
  for (const n of names) checkName(n);
}

export function createStats(ctx: Ctx): StatsStore {
  const db = ctx.db;
  type Row = { name: string; t: number; n: number };
  const s = {
    addHour: db.prepare<[string, number, number]>(
      "INSERT INTO stats_hourly (name, hour, n) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n",
    ),
    addDay: db.prepare<[string, number, number]>(
      "INSERT INTO stats_daily (name, day, n) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n",
    ),
    maxHour: db.prepare<[string, number, number]>(
      "INSERT INTO stats_hourly (name, hour, n) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET n = max(n, excluded.n)",
    ),
    maxDay: db.prepare<[string, number, number]>(
      "INSERT INTO stats_daily (name, day, n) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET n = max(n, excluded.n)",
    ),
    hours: db.prepare<[string, number, number], Row>(
      "SELECT name, hour AS t, n FROM stats_hourly WHERE name = ? AND hour >= ? AND hour < ? ORDER BY hour",
    ),
    days: db.prepare<[string, number, number], Row>(
      "SELECT name, day AS t, n FROM stats_daily WHERE name = ? AND day >= ? AND day < ? ORDER BY day",
    ),
    pruneHours: db.prepare<[number]>("DELETE FROM stats_hourly WHERE hour < ?"),
    pruneDays: db.prepare<[number]>("DELETE FROM stats_daily WHERE day < ?"),
  };

  const read = (stmt: typeof s.hours, names: readonly string[], from: number, to: number): StatsPoint[] => {
    checkNames(names);
    checkCount("range start", from);
    checkCount("range end", to);
    return ctx.read(() =>
      names.flatMap((name) => stmt.all(name, from, to).map((r) => ({ name, at: r.t, n: r.n }))),
    );
  };

  return {
    async add(entries) {
      const list: StatsEntry[] = [];
      for (const e of entries) {
        checkName(e.name);
        checkCount("hour", e.hour);
        checkCount("count", e.n);
        if (e.n > 0) list.push({ name: e.name, hour: e.hour, n: e.n });
      }
      if (list.length === 0) return;
      await ctx.grouped(() => {
        for (const e of list) {
          s.addHour.run(e.name, e.hour, e.n);
          s.addDay.run(e.name, Math.floor(e.hour / HOURS_PER_DAY), e.n);
        }
        return { value: undefined };
      });
    },
    async gauge(name, hour, value) {
      checkName(name);
      checkCount("hour", hour);
      checkCount("gauge value", value);
      await ctx.grouped(() => {
        s.maxHour.run(name, hour, value);
        s.maxDay.run(name, Math.floor(hour / HOURS_PER_DAY), value);
        return { value: undefined };
      });
    },
    async series(names, fromHour, toHour) {
      return read(s.hours, names, fromHour, toHour);
    },
    async daily(names, fromDay, toDay) {
      return read(s.days, names, fromDay, toDay);
    },
    async prune({ hourlyBefore, dailyBefore }) {
      checkCount("prune hour", hourlyBefore);
      checkCount("prune day", dailyBefore);
      return ctx.grouped(() => ({
        value: s.pruneHours.run(hourlyBefore).changes + s.pruneDays.run(dailyBefore).changes,
      }));
    },
  };
}
