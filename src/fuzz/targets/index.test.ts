// The short fuzz run of `npm test`: each target from its seed corpus, a fixed seed, a few seconds.
// A finding fails the test and names the file holding the input (replay it with the target's run,
// or fuzz longer with `npm run fuzz -- --target <name> --seconds 600`).
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fuzz, REPO_ROOT, readCorpus } from "../fuzzer.js";
import { TARGETS, targetUrl } from "./index.js";

const artifacts = mkdtempSync(join(tmpdir(), "yubin-fuzz-"));

for (const [name, { exportName, knownIssue }] of Object.entries(TARGETS)) {
  test(`fuzz ${name}: no crash, hang or slow input`, { todo: knownIssue }, async () => {
    const seeds = readCorpus(join(REPO_ROOT, "src/fuzz/corpus", name));
    assert.ok(seeds.length >= 3, `seed corpus of ${name}`);
    const r = await fuzz({
      targetUrl: targetUrl(name),
      exportName,
      seeds,
      seed: 1,
      seconds: 3,
      maxExecs: 50_000,
      artifactDir: artifacts,
    });
    const f = r.finding;
    assert.equal(f, null, f ? `${f.type} in ${name}, input in ${f.file}:\n${f.message}` : "");
    assert.ok(r.execs > seeds.length, `${name} ran ${r.execs} executions`);
  });
}
