// The spam filter's CPU per message in-process, without SMTP around it: the inbound filter
// (src/spam/filter.ts, the code bench:smtp's server runs) checking bench:smtp's 4 KB message
// against a SQLite store whose global model is trained on the corpus' 2002 groups (as
// `bench:smtp -- --spam on --trained`), and, with --corpus, against the held-out corpus messages.
// A steadier figure than bench:smtp's server CPU on this shared machine (no sockets, no fsync,
// no other stages), and a place to take a CPU profile of just the filter:
//   node --cpu-prof --cpu-prof-dir /tmp/prof --import tsx bench/spam/filter-cost.ts
// Per message it prints CPU p50 / p99 / max too (process.cpuUsage around each check, so V8's
// background threads — GC helpers, the optimizing compiler — count where they ran: on the
// held-out messages the first pass's p99 is mostly optimizing-compiler work, not the message's
// own; docs/ARCHITECTURE.md "Spam classifier", Cost). --warmup sets the checks before timing.
// Usage: node --import tsx bench/spam/filter-cost.ts [--messages 3000] [--corpus] [--untrained]
//   [--warmup 300]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FilterInput } from "../../src/postoffice/types.js";
import { benchArgs } from "../args.js";
import { loadCorpus } from "./corpus.js";
import { inboundFilter, openStore, trainCorpus } from "./yubin.js";

const { values: opt } = benchArgs(import.meta.url, {
  options: {
    messages: { type: "string", default: "3000" },
    corpus: { type: "boolean", default: false },
    untrained: { type: "boolean", default: false },
    warmup: { type: "string", default: "300" },
  },
});

/** The value at quantile q of ascending `sorted`. */
const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/** bench:smtp's message (bench/smtp.ts makeMessage), 4,096 octets. */
function benchMessage(i: number): Buffer {
  const head = `From: Bench <bench@remote.example>\r\nTo: <bench0@example.test>\r\nSubject: bench message ${i}\r\nMessage-ID: <bench-${i}-${Date.now()}@remote.example>\r\nDate: ${new Date().toUTCString()}\r\n\r\n`;
  const line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\r\n";
  let body = head;
  while (body.length + line.length <= 4096) body += line;
  return Buffer.from(body);
}

const dir = mkdtempSync(join(tmpdir(), "yubin-bench-filter-"));
const store = await openStore(dir);
try {
  const corpus = loadCorpus();
  if (!opt.untrained) await trainCorpus(store, corpus.train, { accountId: 0 });
  // The config's defaults, as the server starts with them.
  const { inbound, account, verdicts } = await inboundFilter(store, "bench0@example.test");
  const bodies = opt.corpus ? corpus.test.map((s) => s.body) : [];
  const n = opt.corpus ? bodies.length : Number(opt.messages);
  const input = (i: number): FilterInput => ({
    door: "inbound",
    id: `m${i}`,
    mailFrom: "bench@remote.example",
    recipients: [{ address: "bench0@example.test", accountIds: [account.id], remote: [] }],
    body: opt.corpus ? bodies[i]! : benchMessage(i),
    accountIds: [account.id],
    accountId: null,
    origin: {
      kind: "smtp",
      helo: "bench.example",
      ip: "127.0.0.1",
      esmtp: true,
      utf8: false,
      authenticated: false,
      tls: null,
    },
    screen: null,
    auth: null,
  });
  // Warm-up (JIT, statement cache), then the timed pass.
  for (let i = 0; i < Math.min(Number(opt.warmup), n); i++) await inbound.check(input(i));
  const inputs = Array.from({ length: n }, (_, i) => input(i));
  const each = new Float64Array(n);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const m0 = process.cpuUsage();
    await inbound.check(inputs[i]!);
    const m = process.cpuUsage(m0);
    each[i] = (m.user + m.system) / 1000;
  }
  const cpu = process.cpuUsage(c0);
  const sorted = [...each].sort((a, b) => a - b);
  const ms = (v: number) => Number(v.toFixed(4));
  console.log(
    JSON.stringify({
      messages: n,
      input: opt.corpus ? "held-out corpus" : "bench:smtp 4 KB",
      trained: !opt.untrained,
      cpuMsPerMessage: ms((cpu.user + cpu.system) / 1000 / n),
      wallMsPerMessage: ms((performance.now() - t0) / n),
      cpuMsP50: ms(quantile(sorted, 0.5)),
      cpuMsP99: ms(quantile(sorted, 0.99)),
      cpuMsMax: ms(sorted[sorted.length - 1] ?? 0),
    }),
  );
  await verdicts.flush();
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
