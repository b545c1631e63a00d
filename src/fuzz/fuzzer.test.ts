// The fuzzer's own tests: on targets with planted bugs (planted.ts) it must find a crash that
// only coverage feedback reaches in the budget, stop an endless loop, report a slow input, and
// end cleanly on a target with no bug.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fuzz } from "./fuzzer.js";
import { mutate } from "./mutate.js";
import { Rng } from "./rng.js";

const planted = new URL("./planted.ts", import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), "yubin-fuzz-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const seeds = [Buffer.from("hello")];

test("coverage feedback finds a crash behind four byte comparisons, and writes the input", async () => {
  // Blind, the four bytes need ~200^3 tries; climbing one comparison at a time, a few thousand.
  const r = await fuzz({
    targetUrl: planted,
    exportName: "plantedCrash",
    seeds,
    maxExecs: 100_000,
    seconds: 30,
    artifactDir: dir,
  });
  assert.equal(r.finding?.type, "crash");
  assert.match(r.finding.message, /planted crash/);
  assert.equal(r.finding.input.subarray(0, 4).toString(), "BUG!");
  assert.ok(r.finding.file);
  assert.deepEqual(readFileSync(r.finding.file), r.finding.input);
});

test("an endless loop is stopped by the watchdog and reported as a hang", async () => {
  const r = await fuzz({
    targetUrl: planted,
    exportName: "plantedHang",
    seeds,
    maxExecs: 100_000,
    seconds: 30,
    hangMs: 1000,
    artifactDir: null,
  });
  assert.equal(r.finding?.type, "hang");
  assert.equal(r.finding.input.subarray(0, 4).toString(), "BUG!");
});

test("an execution slower than the limit three times over is reported as slow", async () => {
  const r = await fuzz({
    targetUrl: planted,
    exportName: "plantedSlow",
    seeds,
    maxExecs: 100_000,
    seconds: 30,
    slowMs: 100,
    artifactDir: null,
  });
  assert.equal(r.finding?.type, "slow");
  assert.equal(r.finding.input.subarray(0, 4).toString(), "BUG!");
});

test("a target with no bug runs to its execution budget", async () => {
  const r = await fuzz({
    targetUrl: planted,
    exportName: "plantedNone",
    seeds,
    maxExecs: 3000,
    seconds: 60,
    artifactDir: null,
  });
  assert.equal(r.finding, null);
  assert.equal(r.execs, 3000);
  assert.ok(r.corpus >= 2, `corpus ${r.corpus}`);
});

test("mutations are reproducible from the seed and bounded by maxLength", () => {
  const run = (seed: number) => {
    const rng = new Rng(seed);
    const corpus = [Buffer.from("a1 FETCH 1:* (FLAGS)\r\n"), Buffer.from("x")];
    const ctx = { rng, dictionary: [Buffer.from("{10}\r\n")], other: () => rng.pick(corpus), maxLength: 40 };
    let b: Buffer = corpus[0]!;
    const out: string[] = [];
    for (let i = 0; i < 2000; i++) {
      b = mutate(b, ctx);
      assert.ok(b.length <= 40);
      out.push(b.toString("hex"));
    }
    return out;
  };
  assert.deepEqual(run(5), run(5));
  assert.notDeepEqual(run(5), run(6));
});
