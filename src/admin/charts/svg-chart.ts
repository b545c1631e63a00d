// Bar charts as inline SVG, rendered on the server (issue 21): the admin pages run no script and
// their CSP forbids inline styles (src/http/security-headers.ts), so colours are SVG presentation
// attributes (fill), which the CSP does not govern, and the layout is the stylesheet's classes.
// Each chart carries its numbers three ways for people who cannot see it: the SVG's <title> and
// aria-label (the totals), a <title> on every bar (its slot and value), and a table in <details>.
import { html, type SafeHtml } from "../../http/html.js";

export interface ChartSeries {
  label: string;
  /** A CSS colour for the bars' fill attribute (ours, never user input). */
  color: string;
  /** One value per slot, aligned with BarChart.slots. */
  values: readonly number[];
}

export interface BarChart {
  /** What the chart shows, e.g. "Messages, last 24 hours" (its <title>). */
  title: string;
  /** One label per slot ("14:00", "7 Dec"). */
  slots: readonly string[];
  series: readonly ChartSeries[];
  /** "stack": the series on top of each other (parts of one whole); "group": side by side. */
  mode: "stack" | "group";
  /** What the legend and accessible name give per series: the total of the slots (counts, the
   *  default) or their largest value (a gauge such as a queue's size, whose sum means nothing). */
  summary?: "total" | "largest";
  /** Label every n-th slot on the x axis (default: about 8 labels). */
  labelEvery?: number;
}

const W = 640;
const H = 200;
const LEFT = 48;
const RIGHT = 8;
const TOP = 10;
const BOTTOM = 22;

/** A finite count, or 0 (a chart never draws NaN or a negative bar). */
const clean = (v: number | undefined): number => (v !== undefined && Number.isFinite(v) && v > 0 ? v : 0);

/** The axis top: the smallest 1, 2 or 5 times a power of ten at or above `max` (1 for an empty chart). */
export function niceMax(max: number): number {
  if (!(max > 0) || !Number.isFinite(max)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

/** 1234 → "1.2k", 5600000 → "5.6M": axis labels stay inside the margin whatever the count. */
export function compact(n: number): string {
  const units: [number, string][] = [
    [1e12, "T"],
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "k"],
  ];
  for (const [size, suffix] of units) {
    if (n >= size) {
      const v = n / size;
      return `${v >= 100 ? Math.round(v) : Number(v.toFixed(1))}${suffix}`;
    }
  }
  return String(Math.round(n * 10) / 10);
}

const fmt = (n: number): string => n.toLocaleString("en-US");
const px = (n: number): string => String(Math.round(n * 10) / 10);

/** The chart as a <figure>: the SVG, its legend, and the numbers as a table. */
export function renderBarChart(c: BarChart): SafeHtml {
  const n = c.slots.length;
  const series = c.series.map((s) => ({ ...s, values: c.slots.map((_, i) => clean(s.values[i])) }));
  const largest = c.summary === "largest";
  const totals = series.map((s) =>
    largest ? Math.max(0, ...s.values) : s.values.reduce((a, b) => a + b, 0),
  );
  const sum = (i: number) => `${largest ? "at most " : ""}${fmt(totals[i]!)}`;
  const slotMax = c.slots.map((_, i) =>
    c.mode === "stack"
      ? series.reduce((a, s) => a + s.values[i]!, 0)
      : Math.max(0, ...series.map((s) => s.values[i]!)),
  );
  const top = niceMax(Math.max(0, ...slotMax));
  const plotW = W - LEFT - RIGHT;
  const plotH = H - TOP - BOTTOM;
  const y = (v: number) => TOP + plotH - (v / top) * plotH;
  const slotW = n > 0 ? plotW / n : plotW;
  const barW = slotW * 0.8;
  const summary = `${c.title}: ${series.map((s, i) => `${s.label} ${sum(i)}`).join(", ")}`;

  const bars: SafeHtml[] = [];
  for (let i = 0; i < n; i++) {
    let base = 0;
    series.forEach((s, k) => {
      const v = s.values[i]!;
      if (v <= 0) return;
      // A bar of 1 beside one of a million still shows: at least one pixel tall.
      const h = Math.max(1, (v / top) * plotH);
      const x =
        c.mode === "stack"
          ? LEFT + i * slotW + (slotW - barW) / 2
          : LEFT + i * slotW + (slotW - barW) / 2 + (barW / series.length) * k;
      const w = c.mode === "stack" ? barW : barW / series.length;
      const yTop = c.mode === "stack" ? y(base) - h : TOP + plotH - h;
      base += v;
      bars.push(
        html`<rect x="${px(x)}" y="${px(yTop)}" width="${px(Math.max(w, 0.5))}" height="${px(h)}" fill="${s.color}"><title>${c.slots[i]} · ${s.label}: ${fmt(v)}</title></rect>`,
      );
    });
  }

  // Counts are whole: no half-way line at 0.5 when the axis tops at 1.
  const ticks = (Number.isInteger(top / 2) ? [0, top / 2, top] : [0, top]).map(
    (v) =>
      html`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${px(y(v))}" y2="${px(y(v))}" stroke="#d5d9e0" stroke-width="1"/><text x="${LEFT - 4}" y="${px(y(v) + 4)}" text-anchor="end" font-size="11" fill="#4a5263">${compact(v)}</text>`,
  );
  const every = Math.max(1, c.labelEvery ?? Math.ceil(n / 8));
  const xLabels = c.slots.map((label, i) =>
    // Counted from the last slot (now), which is always labelled, so labels stay evenly apart.
    (n - 1 - i) % every === 0
      ? html`<text x="${px(LEFT + i * slotW + slotW / 2)}" y="${H - 6}" text-anchor="middle" font-size="11" fill="#4a5263">${label}</text>`
      : null,
  );
  const legend = html`<ul class="legend">${series.map(
    (s, i) =>
      html`<li><svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="${s.color}"/></svg> ${s.label} (${sum(i)})</li>`,
  )}</ul>`;
  const table = html`<details><summary>Numbers</summary><table><thead><tr><th scope="col">When</th>${series.map((s) => html`<th scope="col">${s.label}</th>`)}</tr></thead><tbody>${c.slots.map(
    (label, i) =>
      html`<tr><th scope="row">${label}</th>${series.map((s) => html`<td>${fmt(s.values[i]!)}</td>`)}</tr>`,
  )}</tbody></table></details>`;

  return html`<figure class="chart"><svg class="chart" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${summary}"><title>${summary}</title>${ticks}<line x1="${LEFT}" x2="${W - RIGHT}" y1="${TOP + plotH}" y2="${TOP + plotH}" stroke="#4a5263" stroke-width="1"/>${bars}${xLabels}</svg><figcaption>${c.title}</figcaption>${legend}${table}</figure>`;
}
