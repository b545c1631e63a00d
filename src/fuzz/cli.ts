// npm run fuzz -- [--target smtp|imap|pop3|managesieve|mime|jmap|all] [--seconds 60] [--seed 1]
//                 [--save-corpus] [--artifacts DIR] [--batch 16]
// npm run fuzz -- --target imap --replay FILE   runs one saved input (a finding) and shows the error.
// Fuzzes each chosen target for the given time; an input that crashes, hangs or is slow is
// written to the artifacts directory (default fuzz-artifacts/) and the exit code is 1.
// --save-corpus adds the inputs that found new coverage to src/fuzz/corpus/<target>/.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fuzz, REPO_ROOT, readCorpus } from "./fuzzer.js";
import type { FuzzTarget } from "./target.js";
import { TARGETS, targetUrl } from "./targets/index.js";

const { values } = parseArgs({
  options: {
    target: { type: "string", default: "all" },
    seconds: { type: "string", default: "60" },
    seed: { type: "string", default: String(Date.now() % 1_000_000) },
    batch: { type: "string", default: "16" },
    artifacts: { type: "string", default: join(REPO_ROOT, "fuzz-artifacts") },
    "save-corpus": { type: "boolean", default: false },
    replay: { type: "string" },
  },
});

if (values.replay !== undefined) {
  const mod = (await import(targetUrl(values.target))) as Record<string, FuzzTarget>;
  const target = mod[TARGETS[values.target]!.exportName]!;
  const t0 = performance.now();
  target.run(readFileSync(values.replay)); // a crash throws here, with its stack
  console.log(`${values.target}: ${values.replay} passes (${(performance.now() - t0).toFixed(1)} ms)`);
  process.exit(0);
}

const names = values.target === "all" ? Object.keys(TARGETS) : values.target.split(",");
let failed = false;
for (const name of names) {
  const corpusDir = join(REPO_ROOT, "src/fuzz/corpus", name);
  const seed = Number(values.seed);
  const r = await fuzz({
    targetUrl: targetUrl(name),
    exportName: TARGETS[name]!.exportName,
    seeds: readCorpus(corpusDir),
    seed,
    seconds: Number(values.seconds),
    batch: Number(values.batch),
    artifactDir: values.artifacts,
    onNew: values["save-corpus"]
      ? (input) =>
          writeFileSync(join(corpusDir, createHash("sha1").update(input).digest("hex").slice(0, 16)), input)
      : undefined,
    onStats: (s) =>
      process.stderr.write(`\r${name}: ${s.execs} execs, corpus ${s.corpus}, features ${s.features}   `),
  });
  const rate = Math.round((r.execs / r.ms) * 1000);
  process.stderr.write("\n");
  console.log(
    `${name}: seed ${seed}, ${r.execs} execs in ${(r.ms / 1000).toFixed(1)} s (${rate}/s), corpus ${r.corpus}, features ${r.features}`,
  );
  if (r.finding) {
    failed = true;
    console.log(`${name}: ${r.finding.type.toUpperCase()} ${r.finding.file ?? ""}\n${r.finding.message}`);
  }
}
process.exit(failed ? 1 : 0);
