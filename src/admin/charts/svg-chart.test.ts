// The server-rendered bar chart: bars scale to a round axis top, stacked bars sit on each other,
// an empty series draws no bar, huge values fit, labels are escaped, and the numbers are there
// for a screen reader (title, aria-label, table).
import assert from "node:assert/strict";
import { test } from "node:test";
import { compact, niceMax, renderBarChart } from "./svg-chart.js";

const rects = (svg: string) =>
  [
    ...svg.matchAll(
      /<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="([^"]+)"><title>([^<]*)<\/title>/g,
    ),
  ].map((m) => ({
    x: Number(m[1]),
    y: Number(m[2]),
    w: Number(m[3]),
    h: Number(m[4]),
    fill: m[5],
    title: m[6],
  }));

test("niceMax and compact", () => {
  assert.equal(niceMax(0), 1);
  assert.equal(niceMax(Number.NaN), 1);
  assert.equal(niceMax(1), 1);
  assert.equal(niceMax(3), 5);
  assert.equal(niceMax(7), 10);
  assert.equal(niceMax(11), 20);
  assert.equal(niceMax(150), 200);
  assert.equal(niceMax(9e15), 1e16);
  assert.equal(compact(0), "0");
  assert.equal(compact(2.5), "2.5");
  assert.equal(compact(1234), "1.2k");
  assert.equal(compact(5_600_000), "5.6M");
  assert.equal(compact(250_000_000_000), "250G");
});

test("bars scale to the axis top; the larger bar is proportionally taller", () => {
  const svg = renderBarChart({
    title: "Messages, last 3 hours",
    slots: ["10:00", "11:00", "12:00"],
    series: [{ label: "in", color: "#2f6db5", values: [5, 10, 0] }],
    mode: "stack",
  }).value;
  const r = rects(svg);
  assert.equal(r.length, 2, "no bar for a zero");
  assert.equal(r[1]!.h, 2 * r[0]!.h);
  // Axis top 10 → the 10 fills the plot (200 - 10 top - 22 bottom = 168 px).
  assert.equal(r[1]!.h, 168);
  assert.equal(r[0]!.title, "10:00 · in: 5");
  assert.match(svg, /<title>Messages, last 3 hours: in 15<\/title>/);
  assert.match(svg, /aria-label="Messages, last 3 hours: in 15"/);
  assert.match(svg, /<tr><th scope="row">12:00<\/th><td>0<\/td><\/tr>/);
  const axis = (svg: string) => [...svg.matchAll(/text-anchor="end"[^>]*>([^<]+)</g)].map((m) => m[1]);
  assert.deepEqual(axis(svg), ["0", "5", "10"]);
  const one = renderBarChart({
    title: "t",
    slots: ["a"],
    series: [{ label: "x", color: "#000", values: [1] }],
    mode: "stack",
  });
  assert.deepEqual(axis(one.value), ["0", "1"], "no line at 0.5 for whole counts");
});

test("stacked series sit on each other; grouped ones side by side", () => {
  const series = [
    { label: "a", color: "#111", values: [2] },
    { label: "b", color: "#222", values: [2] },
  ];
  const stacked = rects(renderBarChart({ title: "t", slots: ["x"], series, mode: "stack" }).value);
  assert.equal(stacked.length, 2);
  assert.equal(stacked[0]!.x, stacked[1]!.x);
  assert.ok(Math.abs(stacked[1]!.y + stacked[1]!.h - stacked[0]!.y) < 0.2, "b on top of a");
  // Axis top 5, together 4: 80% of the 168 px plot.
  assert.ok(Math.abs(stacked[0]!.h + stacked[1]!.h - 134.4) < 0.2);
  const grouped = rects(renderBarChart({ title: "t", slots: ["x"], series, mode: "group" }).value);
  assert.ok(grouped[1]!.x > grouped[0]!.x);
  assert.equal(grouped[0]!.y, grouped[1]!.y);
});

test("a gauge's chart gives its largest value, not a sum", () => {
  const svg = renderBarChart({
    title: "Queue",
    slots: ["a", "b", "c"],
    series: [{ label: "queued", color: "#000", values: [4, 9, 2] }],
    mode: "stack",
    summary: "largest",
  }).value;
  assert.match(svg, /aria-label="Queue: queued at most 9"/);
  assert.match(svg, /queued \(at most 9\)<\/li>/);
});

test("an empty chart renders, with a zero total and no bars", () => {
  const svg = renderBarChart({
    title: "Nothing",
    slots: [],
    series: [{ label: "in", color: "#000", values: [] }],
    mode: "group",
  }).value;
  assert.equal(rects(svg).length, 0);
  assert.match(svg, /<title>Nothing: in 0<\/title>/);
  const zeros = renderBarChart({
    title: "Zeros",
    slots: ["a", "b"],
    series: [{ label: "in", color: "#000", values: [0, Number.NaN] }],
    mode: "stack",
  }).value;
  assert.equal(rects(zeros).length, 0);
  assert.doesNotMatch(zeros, /NaN|Infinity/);
});

test("huge values fit the axis, and a tiny one beside them still shows", () => {
  const svg = renderBarChart({
    title: "Big",
    slots: ["a", "b"],
    series: [{ label: "n", color: "#000", values: [3_000_000_000, 1] }],
    mode: "stack",
  }).value;
  const r = rects(svg);
  assert.ok(r[0]!.h <= 168 && r[0]!.y >= 10);
  assert.equal(r[1]!.h, 1);
  assert.match(svg, />5G<\/text>/, "axis top 5G, compact");
  assert.match(svg, /n: 3,000,000,000/);
  assert.doesNotMatch(svg, /e\+/);
});

test("labels and titles are escaped", () => {
  const svg = renderBarChart({
    title: `<script>alert("t")</script>`,
    slots: [`<b>&"`],
    series: [{ label: `x" onload="y`, color: "#000", values: [1] }],
    mode: "stack",
  }).value;
  assert.doesNotMatch(svg, /<script>|<b>|" onload="/);
  assert.match(svg, /&lt;script&gt;alert\(&quot;t&quot;\)&lt;\/script&gt;/);
  assert.match(svg, /&lt;b&gt;&amp;&quot; · x&quot; onload=&quot;y: 1/);
});
