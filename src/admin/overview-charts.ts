// The admin overview's charts (issue 21): what an admin looks at first each morning, the last 24
// hours by hour and the last 30 days by UTC day, from the stored counters (src/stats/, the same
// events /metrics counts) plus this process's counts not yet written, so the page is never behind.
import { html, type SafeHtml } from "../http/html.js";
import { dayOf, HOUR_MS, hourOf, QUEUE_SIZE, REJECT_REASONS } from "../stats/series.js";
import type { StatsEntry, StatsPoint, StatsStore } from "../store/types.js";
import { type BarChart, renderBarChart } from "./charts/svg-chart.js";

interface ChartDef {
  title: string;
  mode: BarChart["mode"];
  summary?: BarChart["summary"];
  series: { name: string; label: string; color: string }[];
}

const REASON_COLORS: Record<(typeof REJECT_REASONS)[number], string> = {
  spam: "#b5472f",
  virus: "#7a1f5c",
  auth: "#d08a1c",
  dnsbl: "#2f6db5",
  greylist: "#6f8fa8",
  policy: "#4b8a3c",
  sieve: "#8a6cc2",
  other: "#8b8f99",
};

/** The charts, in page order. Gauges (the queue) show the largest sample of each hour or day. */
export const OVERVIEW_CHARTS: readonly ChartDef[] = [
  {
    title: "Messages in and out",
    mode: "group",
    series: [
      { name: "msg.in", label: "received (port 25)", color: "#2f6db5" },
      { name: "msg.submitted", label: "sent by users", color: "#4b8a3c" },
      { name: "delivery.remote.delivered", label: "delivered to other servers", color: "#d08a1c" },
    ],
  },
  {
    title: "Rejected, by reason",
    mode: "stack",
    series: REJECT_REASONS.map((r) => ({ name: `rejected.${r}`, label: r, color: REASON_COLORS[r] })),
  },
  {
    title: "Spam and viruses",
    mode: "stack",
    series: [
      { name: "spam.junk", label: "spam to Junk", color: "#d08a1c" },
      { name: "spam.rejected", label: "spam rejected", color: "#b5472f" },
      { name: "virus", label: "viruses", color: "#7a1f5c" },
    ],
  },
  {
    title: "Deliveries deferred and bounced",
    mode: "group",
    series: [
      { name: "delivery.deferred", label: "deferred", color: "#d08a1c" },
      { name: "delivery.bounced", label: "bounced", color: "#b5472f" },
    ],
  },
  {
    title: "Outbound queue size (largest sample)",
    mode: "stack",
    summary: "largest",
    series: [{ name: QUEUE_SIZE, label: "messages queued", color: "#2f6db5" }],
  },
  {
    title: "Logins failed and throttled",
    mode: "stack",
    series: [
      { name: "login.failed", label: "failed", color: "#b5472f" },
      { name: "login.throttled", label: "throttled", color: "#8b8f99" },
    ],
  },
];

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const hourLabel = (hour: number) => `${String(new Date(hour * HOUR_MS).getUTCHours()).padStart(2, "0")}:00`;
const dayLabel = (day: number) => {
  const d = new Date(day * 86_400_000);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
};

/** name → slot index → value, from stored points and unwritten counts (summed). */
function grid(points: readonly StatsPoint[], from: number, slots: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const p of points) {
    const i = p.at - from;
    if (i < 0 || i >= slots) continue;
    const row = out.get(p.name) ?? new Array<number>(slots).fill(0);
    out.set(p.name, row);
    row[i]! += p.n;
  }
  return out;
}

export interface ChartData {
  hours: { from: number; values: Map<string, number[]> };
  days: { from: number; values: Map<string, number[]> };
}

/** Reads the last 24 hours and 30 days of every charted series. */
export async function readChartData(opts: {
  stats: StatsStore;
  unwritten: readonly StatsEntry[];
  now: Date;
}): Promise<ChartData> {
  const names = OVERVIEW_CHARTS.flatMap((c) => c.series.map((s) => s.name));
  const hour = hourOf(opts.now.getTime());
  const day = dayOf(opts.now.getTime());
  const fromHour = hour - 23;
  const fromDay = day - 29;
  const [hourly, daily] = await Promise.all([
    opts.stats.series(names, fromHour, hour + 1),
    opts.stats.daily(names, fromDay, day + 1),
  ]);
  const extraHours = opts.unwritten.map((e) => ({ name: e.name, at: e.hour, n: e.n }));
  const extraDays = opts.unwritten.map((e) => ({ name: e.name, at: Math.floor(e.hour / 24), n: e.n }));
  return {
    hours: { from: fromHour, values: grid([...hourly, ...extraHours], fromHour, 24) },
    days: { from: fromDay, values: grid([...daily, ...extraDays], fromDay, 30) },
  };
}

/** A gauge's value now counts in the current hour and day (which keep their largest), so the
 *  queue chart does not wait for the next sample to show what the queue card says. */
export function withLiveGauge(data: ChartData, name: string, value: number): void {
  for (const period of [data.hours, data.days]) {
    const row = period.values.get(name) ?? new Array<number>(period === data.hours ? 24 : 30).fill(0);
    period.values.set(name, row);
    const last = row.length - 1;
    row[last] = Math.max(row[last]!, value);
  }
}

/** The value of one series in the hour `hour` (0 when none). */
export function hourValue(data: ChartData, name: string, hour: number): number {
  return data.hours.values.get(name)?.[hour - data.hours.from] ?? 0;
}

/** Every chart twice: the last 24 hours and the last 30 days. */
export function renderCharts(data: ChartData): SafeHtml {
  const hourSlots = Array.from({ length: 24 }, (_, i) => hourLabel(data.hours.from + i));
  const daySlots = Array.from({ length: 30 }, (_, i) => dayLabel(data.days.from + i));
  const chart = (def: ChartDef, period: "24 hours" | "30 days") => {
    const byHour = period === "24 hours";
    const src = byHour ? data.hours.values : data.days.values;
    const slots = byHour ? hourSlots : daySlots;
    return renderBarChart({
      title: `${def.title}, last ${period}`,
      slots,
      mode: def.mode,
      summary: def.summary,
      labelEvery: byHour ? 3 : 5,
      series: def.series.map((s) => ({
        label: s.label,
        color: s.color,
        values: src.get(s.name) ?? slots.map(() => 0),
      })),
    });
  };
  return html`${OVERVIEW_CHARTS.map(
    (def) =>
      html`<section class="chart-pair"><h3>${def.title}</h3><div class="charts">${chart(def, "24 hours")}${chart(def, "30 days")}</div></section>`,
  )}`;
}
