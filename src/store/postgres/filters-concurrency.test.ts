// The filter and report stores on PostgreSQL with two nodes writing at once (issue 17): two stores
// opened on one database, each with a pool of its own, as two servers would be. What the contract
// suite checks on one store, checked here across both: a message trained once, one active Sieve
// script and the script quota, one "unseen" per duplicate key, a report stored once, counts that
// add up, a report marked sent once.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { silentLogger } from "../../log/logger.js";
import { freshSchema, postgresSkip } from "../../testing/postgres.js";
import { account } from "../contract-kit.js";
import { LocalNotifier } from "../notifier.js";
import type { DmarcAggregateReport, Store } from "../types.js";
import { openPostgresStore } from "./index.js";

const skip = postgresSkip();

describe("filters and reports on PostgreSQL, two nodes at once", { skip }, () => {
  let nodes: [Store, Store];
  let drop: () => Promise<void>;

  before(async () => {
    const schema = await freshSchema();
    drop = schema.drop;
    const open = () =>
      openPostgresStore({
        url: schema.url,
        notifier: new LocalNotifier(),
        log: silentLogger,
        fullTextIndexer: false,
      });
    nodes = [await open(), await open()];
  });

  after(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    await drop();
  });

  /** `n` calls of `fn`, alternating between the nodes, all started at once. */
  const both = <T>(n: number, fn: (s: Store, i: number) => Promise<T>): Promise<T[]> =>
    Promise.all(Array.from({ length: n }, (_, i) => fn(nodes[i % 2] as Store, i)));

  test("one message trained on both nodes at once is counted once", async () => {
    const [a] = nodes;
    const bob = await account(a, "train-once@example.com");
    const results = await both(10, (s) =>
      s.spam.train({ accountId: bob.id, key: "same", as: "spam", hashes: [1, 2, 3], scopes: [0, bob.id] }),
    );
    assert.deepEqual(results.sort(), ["trained", ...Array(9).fill("unchanged")]);
    const counts = await a.spam.tokenCounts(bob.id, [1, 2, 3]);
    assert.deepEqual([...counts.values()], Array(3).fill({ spam: 1, ham: 0 }));
  });

  test("different messages with shared tokens, trained on both nodes at once, add up", async () => {
    const [a, b] = nodes;
    const carol = await account(a, "shared-tokens@example.com");
    const hashes = Array.from({ length: 300 }, (_, i) => 1_000_000 + i * 7);
    const v0 = await b.spam.modelVersion();
    const tokens0 = (await b.spam.modelStats()).tokens;
    await both(20, (s, i) =>
      s.spam.train({
        accountId: carol.id,
        key: `m${i}`,
        as: i % 4 === 0 ? "ham" : "spam",
        // Each message has the shared tokens plus one of its own, in a different order per node.
        hashes: i % 2 ? [...hashes, 5_000_000 + i] : [5_000_000 + i, ...hashes].reverse(),
        scopes: [carol.id],
      }),
    );
    const counts = await b.spam.tokenCounts(carol.id, [...hashes, 5_000_000, 5_000_019]);
    assert.equal(counts.size, 302);
    for (const h of hashes) assert.deepEqual(counts.get(h), { spam: 15, ham: 5 });
    assert.deepEqual(counts.get(5_000_000), { spam: 0, ham: 1 });
    assert.deepEqual(await a.spam.modelTotals(carol.id), { spam: 15, ham: 5 });
    assert.ok((await a.spam.modelVersion()) >= v0 + 20, "every training bumped the version");
    // The model's token count, kept by the trainings rather than counted, is exact across nodes:
    // 300 shared tokens and 20 of their own.
    assert.equal((await a.spam.modelStats()).tokens - tokens0, 320);
  });

  test("Sieve: activations from both nodes leave one active; the script quota holds across them", async () => {
    const [a, b] = nodes;
    const dave = await account(a, "sieve-nodes@example.com");
    const roomy = { maxScripts: 10, maxTotalBytes: 100_000 };
    for (const name of ["a", "b", "c", "d"]) await a.sieve.put(dave.id, name, "keep;", roomy);
    await both(16, (s, i) => s.sieve.setActive(dave.id, ["a", "b", "c", "d"][i % 4] ?? null));
    const active = (await b.sieve.list(dave.id)).filter((x) => x.active);
    assert.equal(active.length, 1);
    const tight = { maxScripts: 6, maxTotalBytes: 100_000 };
    const puts = await both(8, (s, i) =>
      s.sieve.put(dave.id, `new${i}`, "stop;", tight).then(
        () => "ok",
        (e: { code?: string }) => e.code,
      ),
    );
    assert.deepEqual(puts.sort(), ["ok", "ok", ...Array(6).fill("quota")]);
    assert.equal((await a.sieve.list(dave.id)).length, 6);
  });

  test("a duplicate key asked on both nodes at once is unseen once (RFC 7352)", async () => {
    const [a] = nodes;
    const erin = await account(a, "dup-nodes@example.com");
    const now = new Date("2030-01-01T00:00:00Z");
    const seen = await both(10, (s) => s.sieve.duplicate(erin.id, "message-id-1", now, 3600, false));
    assert.deepEqual(seen.sort(), [false, ...Array(9).fill(true)]);
  });

  test("a report mailed to both nodes at once is stored once", async () => {
    const report: DmarcAggregateReport = {
      kind: "dmarc",
      org: "reporter.example",
      email: null,
      reportId: "r-1",
      begin: new Date("2030-01-01T00:00:00Z"),
      end: new Date("2030-01-02T00:00:00Z"),
      policy: { domain: "example.com", adkim: "r", aspf: "r", p: "none", sp: null, pct: 100 },
      records: Array.from({ length: 12_000 }, (_, i) => ({
        sourceIp: `192.0.2.${i % 250}`,
        count: 1,
        disposition: "none",
        dkim: "pass",
        spf: "fail",
        headerFrom: "example.com",
        envelopeFrom: "example.com",
        authDkim: [],
        authSpf: [],
      })),
    };
    const saved = await both(4, (s) => s.reports.save(report, new Date("2030-01-02T01:00:00Z")));
    assert.equal(saved.filter((x) => x.created).length, 1);
    assert.equal(new Set(saved.map((x) => x.id)).size, 1);
    const got = await nodes[1].reports.get(saved[0]?.id ?? 0, { offset: 11_999, limit: 5 });
    assert.equal(got?.rowCount, 12_000, "rows over several statements, all of them");
    assert.equal(got?.report.kind === "dmarc" && got.report.records.length, 1);
  });

  test("counts from both nodes add up; a report is marked sent once", async () => {
    const H = 20000 * 24;
    await both(12, (s, i) =>
      s.statistics.add([
        { name: "nodes.in", hour: H + (i % 3), n: 1 },
        { name: "nodes.in", hour: H + (i % 3), n: 2 },
      ]),
    );
    await both(6, (s, i) => s.statistics.gauge("nodes.peak", H, i * 10));
    const [a] = nodes;
    assert.deepEqual(
      (await a.statistics.series(["nodes.in"], H, H + 3)).map((p) => p.n),
      [12, 12, 12],
    );
    assert.deepEqual(await a.statistics.daily(["nodes.peak"], 20000, 20001), [
      { name: "nodes.peak", at: 20000, n: 50 },
    ]);
    const tls = {
      day: "2030-01-01",
      policyDomain: "example.com",
      policyType: "sts" as const,
      policyStrings: ["version: STSv1"],
      mxHosts: ["mx.example.com"],
      result: "success",
      sendingIp: "192.0.2.1",
      receivingMx: "mx.example.com",
      receivingIp: "198.51.100.7",
      detail: "",
      count: 1,
    };
    await both(10, (s) => s.reportSending.addTlsResults([tls, tls]));
    assert.equal((await a.reportSending.tlsResults("2030-01-01"))[0]?.count, 20);
    const sent = await both(6, (s) =>
      s.reportSending.markSent({
        kind: "tlsrpt",
        domain: "example.com",
        day: "2030-01-01",
        reportId: "x",
        at: new Date(),
      }),
    );
    assert.deepEqual(sent.sort(), [false, false, false, false, false, true]);
  });
});
