// Sieve evaluation benchmark: one realistic N-rule script (bench/sieve/rules.ts), compiled once,
// evaluated for every message of the SpamAssassin public corpus's 2002 groups (real messages of
// every shape: lists, HTML, attachments, spam) against an in-memory host. Prints the compile time
// and the per-message evaluation time (p50, p99, mean, max), as wall time and as the process's CPU
// time (process.cpuUsage, microseconds: on a shared machine the wall-time tail is mostly other
// processes' turns, the CPU time is what the evaluation costs). The bar (issue 19): a 100-rule
// script under 1 ms per message.
//
//   npm run bench:sieve                            # 100 rules, every 2002 message, 3 passes
//   npm run bench:sieve -- --rules 20 --passes 5
import { loadavg } from "node:os";
import { compileSieve, runSieve } from "../src/sieve/index.js";
import type { RunLimits, SieveHost } from "../src/sieve/types.js";
import { benchArgs } from "./args.js";
import { benchScript } from "./sieve/rules.js";
import { loadCorpus } from "./spam/corpus.js";

const { values: opt } = benchArgs(import.meta.url, {
  options: {
    rules: { type: "string", default: "100" },
    passes: { type: "string", default: "3" },
    messages: { type: "string", default: "0" },
  },
});
const rules = Number(opt.rules);
const passes = Math.max(1, Number(opt.passes));

const limits: RunLimits = {
  maxSteps: 100_000,
  maxActions: 32,
  maxRedirects: 4,
  maxNotify: 2,
  maxIncludeDepth: 10,
  maxRunMs: 500,
};
const host: SieveHost = {
  now: new Date(),
  mailboxExists: async () => true,
  duplicate: async () => false,
  include: async () => null,
  spam: { score: 1.5, threshold: 5 },
  virus: null,
  environment: {
    domain: "example.test",
    host: "mail.example.test",
    name: "Yubin",
    location: "MS",
    phase: "during",
  },
};

const source = benchScript(rules);
const c0 = process.hrtime.bigint();
const script = compileSieve(source);
const compileMs = Number(process.hrtime.bigint() - c0) / 1e6;

let messages = loadCorpus().train.map((s) => s.body);
if (Number(opt.messages) > 0) messages = messages.slice(0, Number(opt.messages));
const sender = (m: Buffer) =>
  /^Return-Path: *<([^>\r\n]*)>/im.exec(m.subarray(0, 4096).toString("latin1"))?.[1] ??
  "someone@remote.example";

// A warm-up pass (JIT), then the timed passes: each message timed on its own.
const times: number[] = [];
const cpu: number[] = [];
let filed = 0;
for (let pass = 0; pass <= passes; pass++) {
  for (const [i, raw] of messages.entries()) {
    const msg = { raw, envelope: { from: sender(raw), to: `bench${i % 20}@example.test` } };
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const r = await runSieve(script, msg, host, limits);
    const ns = Number(process.hrtime.bigint() - t0);
    const c = process.cpuUsage(c0);
    if (r.error) throw new Error(`runtime error: ${r.error.message}`);
    if (pass > 0) {
      times.push(ns / 1e6);
      cpu.push((c.user + c.system) / 1000);
      if (pass === 1 && r.actions.some((a) => a.type === "fileinto")) filed++;
    }
  }
}
times.sort((a, b) => a - b);
cpu.sort((a, b) => a - b);
const at = (xs: number[], p: number) =>
  Number(xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!.toFixed(4));
const mean = (xs: number[]) => Number((xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(4));
console.log(
  JSON.stringify({
    rules,
    scriptBytes: Buffer.byteLength(source),
    compileMs: Number(compileMs.toFixed(2)),
    messages: messages.length,
    meanMessageBytes: Math.round(messages.reduce((a, m) => a + m.length, 0) / messages.length),
    passes,
    filedByARule: filed,
    wallMs: { p50: at(times, 0.5), p99: at(times, 0.99), mean: mean(times), max: at(times, 1) },
    cpuMs: { p50: at(cpu, 0.5), p99: at(cpu, 0.99), mean: mean(cpu), max: at(cpu, 1) },
    loadAverage: Number(loadavg()[0]!.toFixed(1)),
    bar: "under 1 ms per message",
  }),
);
