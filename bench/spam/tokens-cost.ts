// The tokeniser's CPU per message in-process, the current one (src/spam/classifier/tokens.ts)
// against its reference (bench/spam/tokens-reference/, the multi-pass implementation it replaced),
// alternating rounds and reporting medians, on bench:smtp's 4 KB message or, with --corpus, on
// the held-out corpus messages. CPU time (process.cpuUsage), so steadier than wall time on a
// shared machine; still note the load beside a figure.
// Usage: node --import tsx bench/spam/tokens-cost.ts [--corpus] [--rounds 7]
import { parseArgs } from "node:util";
import { messageTokens } from "../../src/spam/classifier/tokens.js";
import { buildMessageView } from "../../src/spam/message-view.js";
import type { MessageView } from "../../src/spam/types.js";
import { loadCorpus } from "./corpus.js";
import * as reference from "./tokens-reference/tokens.js";

const { values: opt } = parseArgs({
  options: {
    corpus: { type: "boolean", default: false },
    rounds: { type: "string", default: "7" },
    warm: { type: "boolean", default: false },
  },
});

/** bench:smtp's message (bench/smtp.ts makeMessage), 4,096 octets. */
function benchMessage(i: number): Buffer {
  const head = `From: Bench <bench@remote.example>\r\nTo: <bench0@example.test>\r\nSubject: bench message ${i}\r\nMessage-ID: <bench-${i}-${Date.now()}@remote.example>\r\nDate: ${new Date().toUTCString()}\r\n\r\n`;
  const line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\r\n";
  let body = head;
  while (body.length + line.length <= 4096) body += line;
  return Buffer.from(body);
}

const views: MessageView[] = opt.corpus
  ? loadCorpus().test.map((s) => buildMessageView(s.body))
  : Array.from({ length: 200 }, (_, i) => buildMessageView(benchMessage(i)));
// --warm: first tokenise the corpus' 2002 groups with both, as filter-cost.ts trains on them
// (the functions then have seen every kind of text before the timed rounds).
if (opt.warm)
  for (const s of loadCorpus().train) {
    const v = buildMessageView(s.body);
    reference.messageTokens(v);
    messageTokens(v);
  }
const repeat = opt.corpus ? 1 : 20;
const impls = { reference: reference.messageTokens, current: messageTokens };
const us: Record<keyof typeof impls, number[]> = { reference: [], current: [] };
for (let round = 0; round < Math.min(101, Number(opt.rounds)); round++)
  for (const name of ["reference", "current"] as const) {
    const f = impls[name];
    const t0 = process.cpuUsage();
    for (let r = 0; r < repeat; r++) for (const v of views) f(v);
    const cpu = process.cpuUsage(t0);
    us[name].push((cpu.user + cpu.system) / (repeat * views.length));
  }
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1] ?? Number.NaN;
console.log(
  JSON.stringify({
    input: opt.corpus ? `corpus test (${views.length})` : "bench:smtp 4 KB",
    rounds: us.current.length,
    referenceUsPerMessage: Number(median(us.reference).toFixed(1)),
    currentUsPerMessage: Number(median(us.current).toFixed(1)),
  }),
);
