// The Prometheus observer alone (no server): label sets stay bounded whatever clients send, the
// scrape-time gauges read their sources, and every yubin_* metric the Grafana dashboard in
// docs/grafana queries exists in a scrape.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { test } from "node:test";
import { createPrometheusMetrics } from "./prometheus.js";
import { Scrape } from "./test-scrape.js";

const DASHBOARD = resolve(import.meta.dirname, "../../docs/grafana/yubin-dashboard.json");

test("a verb the protocol does not have is one UNKNOWN label, never the client's string", async () => {
  const m = createPrometheusMetrics();
  m.command("smtp", "RCPT");
  m.command("smtp", "XYZZY");
  m.command("smtp", "AAAA");
  m.command("imap", "RCPT");
  m.command("http", "BREW");
  const s = new Scrape(await m.scrape());
  assert.equal(s.value("yubin_commands_total", { protocol: "smtp", command: "RCPT" }), 1);
  assert.equal(s.value("yubin_commands_total", { protocol: "smtp", command: "UNKNOWN" }), 2);
  assert.equal(s.value("yubin_commands_total", { protocol: "imap", command: "UNKNOWN" }), 1);
  assert.equal(s.value("yubin_commands_total", { protocol: "http", command: "UNKNOWN" }), 1);
  assert.equal(s.families.get("yubin_commands_total")!.metrics.length, 4);
});

test("scrape-time gauges: queue, certificate expiry, uncaught errors; histograms observe", async () => {
  const oldest = new Date(Date.now() - 90_000);
  let queries = 0;
  const m = createPrometheusMetrics({
    queue: async () => {
      queries++;
      return { count: 3, oldest };
    },
    uncaughtErrors: () => 2,
  });
  m.storeCommit(0.003, 0.002);
  m.delivery("bounced", "remote");
  const s = new Scrape(await m.scrape());
  assert.equal(s.value("yubin_queue_messages"), 3);
  assert.ok(s.value("yubin_queue_oldest_age_seconds") >= 90);
  assert.equal(queries, 1, "one store query for both queue gauges");
  assert.equal(s.value("yubin_uncaught_errors_total"), 2);
  assert.equal(s.value("yubin_store_commit_seconds"), 1, "count of observations");
  assert.equal(s.value("yubin_deliveries_total", { result: "bounced", destination: "remote" }), 1);
  // Two servers in one process do not share counters.
  const other = new Scrape(await createPrometheusMetrics().scrape());
  assert.equal(other.value("yubin_deliveries_total", { result: "bounced", destination: "remote" }), 0);
});

test("the Grafana dashboard parses and every yubin_* metric it queries is in a scrape", async () => {
  const dash = JSON.parse(await readFile(DASHBOARD, "utf8")) as {
    panels: { type: string; targets?: { expr: string }[] }[];
    templating: { list: { query: { query: string } }[] };
  };
  const exprs = [
    ...dash.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
    ...dash.templating.list.map((v) => v.query.query),
  ];
  assert.ok(exprs.length >= 15, `${exprs.length} queries`);
  const m = createPrometheusMetrics({
    queue: async () => ({ count: 0, oldest: null }),
    uncaughtErrors: () => 0,
  });
  const s = new Scrape(await m.scrape());
  const referenced = new Set(exprs.flatMap((e) => e.match(/\byubin_[a-z_]+/g) ?? []));
  for (const name of referenced) {
    const base = name.replace(/_(bucket|sum|count)$/, "");
    const family = s.families.get(name) ?? s.families.get(base);
    assert.ok(family, `${name} (dashboard) is not in a scrape`);
    if (family.name !== name) assert.equal(family.type, "HISTOGRAM", name);
  }
  // Every yubin_ family has a panel.
  for (const name of s.families.keys())
    if (name.startsWith("yubin_"))
      assert.ok(referenced.has(name) || referenced.has(`${name}_bucket`), `${name} has no panel`);
  // The process metrics the dashboard uses (collected once per process).
  for (const name of [
    "process_resident_memory_bytes",
    "nodejs_heap_size_used_bytes",
    "process_cpu_seconds_total",
  ])
    assert.ok(s.families.has(name), name);
});
