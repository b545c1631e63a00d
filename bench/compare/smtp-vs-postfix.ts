// Yubin's inbound SMTP against Postfix's on this machine, in one run, as a ratio.
// Each round runs bench/smtp.ts (the same client: N pipelined sessions, M messages of S octets,
// spread over 20 mailboxes) against three servers, one after the other:
//   smtp-sink  Postfix's null server (accepts and discards): the ceiling the client, loopback
//              and this machine allow.
//   Postfix    a private instance (bench/compare/smtp-postfix.ts: own config, queue, data dir,
//              log and Maildirs in a temp dir; never the system service or /etc/postfix),
//              delivering with its own `virtual` agent into Maildirs. Postfix answers 250 once
//              the message is safe in its queue, before delivery, so two figures: acceptance
//              (the client's messages/s) and end-to-end (until the last Maildir file is
//              written, waiting for the queue to drain).
//   Yubin      bench/smtp.ts's own embedded server, whose 250 comes after the message is
//              durably in the mailbox: its one figure is end-to-end.
// Each server starts fresh (empty queue and mailboxes) for each run and is stopped by PID.
//
//   npm run bench:smtp:compare
//   npm run bench:smtp:compare -- --rounds 5 --messages 5000 --concurrency 20 --size 4096 [--bdat]
//
// The machine may be shared: every run prints the 1-minute load average, rounds rotate the
// order of the three servers and the summary gives medians. A benchmark, not a test: it exits 0
// with a "skipped" message when Postfix is not installed (apt-get install postfix) or not root.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg, userInfo } from "node:os";
import { parseArgs } from "node:util";
import { freePort, stopChild, waitForGreeting } from "../../src/testing/net.js";
import { median, runNode } from "./process.js";
import {
  delivered,
  logSummary,
  POSTFIX,
  type PostfixInstance,
  postfixVersion,
  queuedCount,
  startPostfix,
  stopPostfix,
  VIRTUAL_AGENT,
} from "./smtp-postfix.js";

const { values: opt } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    messages: { type: "string", default: "5000" },
    concurrency: { type: "string", default: "20" },
    size: { type: "string", default: "4096" },
    mailboxes: { type: "string", default: "20" },
    bdat: { type: "boolean", default: false },
    "deliver-timeout": { type: "string", default: "300" }, // seconds to wait for Postfix's queue
    keep: { type: "boolean", default: false }, // keep Postfix's temp dir (log, Maildirs) for a look
  },
});

const SMTP_SINK = "/usr/sbin/smtp-sink";
const BENCH = new URL("../smtp.ts", import.meta.url).pathname;
const DOMAIN = "example.test"; // bench/smtp.ts's own server uses bench{n}@example.test too
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
const POLL_MS = 50;

const messages = Number(opt.messages);
const rounds = Math.max(1, Math.min(15, Number(opt.rounds)));
const benchArgs = [
  "--messages",
  opt.messages,
  "--concurrency",
  opt.concurrency,
  "--size",
  opt.size,
  "--mailboxes",
  opt.mailboxes,
  ...(opt.bdat ? ["--bdat"] : []),
];

interface BenchResult {
  seconds: number;
  messagesPerSecond: number;
  startedAtMs: number;
  serverPeakRssMB: number | null;
}

interface Run {
  load: number;
  accept: number; // messages/s as the client saw 250s
  endToEnd: number; // messages/s until all were on disk in mailboxes
}

async function bench(extra: string[]): Promise<BenchResult> {
  const out = await runNode([BENCH, ...benchArgs, ...extra], 600_000);
  const line = out.split("\n").find((l) => l.startsWith("{"));
  if (!line) throw new Error(`bench/smtp.ts printed no result:\n${out}`);
  const r = JSON.parse(line) as Partial<BenchResult>;
  if (typeof r.seconds !== "number" || typeof r.startedAtMs !== "number")
    throw new Error(`bench/smtp.ts result lacks seconds/startedAtMs: ${line}`);
  return r as BenchResult;
}

function load1(): number {
  return Number(loadavg()[0]!.toFixed(2));
}

async function benchSink(): Promise<Run> {
  const port = await freePort();
  // -u nobody: smtp-sink drops root after binding. Backlog 1000 so no connection waits on it.
  const child = spawn(SMTP_SINK, ["-u", "nobody", `127.0.0.1:${port}`, "1000"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  try {
    await waitForGreeting(port, "220", () => child.exitCode !== null, START_TIMEOUT_MS);
    const load = load1();
    console.log(`    smtp-sink pid ${child.pid} on 127.0.0.1:${port}; load average ${load}`);
    const r = await bench(["--port", String(port), "--to", `bench{n}@${DOMAIN}`, "--pid", String(child.pid)]);
    return { load, accept: r.messagesPerSecond, endToEnd: r.messagesPerSecond };
  } finally {
    await stopChild(child, STOP_TIMEOUT_MS);
  }
}

async function benchPostfix(): Promise<Run> {
  const port = await freePort();
  let pf: PostfixInstance | null = null;
  try {
    pf = await startPostfix({ port, domain: DOMAIN, mailboxes: Number(opt.mailboxes) });
    const greeting = await waitForGreeting(port, "220", () => false, START_TIMEOUT_MS);
    const load = load1();
    console.log(
      `    postfix master pid ${pf.masterPid} on 127.0.0.1:${port}: ${greeting}; load average ${load}`,
    );
    const r = await bench(["--port", String(port), "--to", `bench{n}@${DOMAIN}`]);
    // 250 came from the queue; now wait (bounded) until virtual(8) has written every file.
    const deadline = Date.now() + Number(opt["deliver-timeout"]) * 1000;
    let done = await delivered(pf);
    let queued = await queuedCount(pf);
    while ((done.count < messages || queued > 0) && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, POLL_MS));
      done = await delivered(pf);
      queued = await queuedCount(pf);
    }
    done = await delivered(pf, true);
    const log = await logSummary(pf);
    console.log(
      `    postfix: ${done.count} files in Maildirs, ${queued} still queued, log: ${log.sent} status=sent, ${log.problems} problem lines${log.first ? `, first: ${log.first}` : ""}`,
    );
    if (done.count !== messages || queued > 0)
      throw new Error(`postfix delivered ${done.count} of ${messages} (${queued} queued) in time`);
    const e2eSeconds = Math.max(r.seconds, (done.lastMs - r.startedAtMs) / 1000);
    const endToEnd = Math.round(messages / e2eSeconds);
    console.log(
      `    postfix: all delivered ${e2eSeconds.toFixed(2)} s after the first connection: ${endToEnd} messages/s`,
    );
    return { load, accept: r.messagesPerSecond, endToEnd };
  } finally {
    if (pf) await stopPostfix(pf, opt.keep);
    if (pf && opt.keep) console.log(`    postfix dir kept: ${pf.dir}`);
  }
}

async function benchYubin(): Promise<Run> {
  const load = load1();
  console.log(`    load average ${load}`);
  // Its 250 follows the durable mailbox write, so acceptance is end-to-end.
  const r = await bench([]);
  return { load, accept: r.messagesPerSecond, endToEnd: r.messagesPerSecond };
}

const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : "n/a");
const fixed = (x: number) => (Number.isNaN(x) || x === 0 ? "n/a" : `${x.toFixed(2)}x`);

async function main(): Promise<void> {
  if (!existsSync(POSTFIX) || !existsSync(SMTP_SINK) || !existsSync(VIRTUAL_AGENT)) {
    console.log("bench:smtp:compare skipped: Postfix is not installed (apt-get install postfix).");
    return;
  }
  if (userInfo().uid !== 0) {
    console.log(
      "bench:smtp:compare skipped: a private Postfix needs root here (its daemons' users, mail uid).",
    );
    return;
  }
  const version = postfixVersion();
  console.log(
    `Postfix ${version}; Node ${process.version}; ${messages} messages of ${opt.size} octets, ${opt.concurrency} sessions, ${opt.bdat ? "BDAT" : "DATA"}, ${rounds} round(s)`,
  );
  const servers = {
    "smtp-sink": benchSink,
    Postfix: benchPostfix,
    Yubin: benchYubin,
  } as const;
  type Name = keyof typeof servers;
  // smtp-sink knows no BDAT (it answers 500), so with --bdat there is no ceiling run.
  const names = (Object.keys(servers) as Name[]).filter((n) => !(opt.bdat && n === "smtp-sink"));
  const runs: Record<Name, Run[]> = { "smtp-sink": [], Postfix: [], Yubin: [] };
  for (let r = 0; r < rounds; r++) {
    // Rotate who goes first, so a load change on the machine does not favour one side.
    const order = names.map((_, i) => names[(i + r) % names.length]!);
    for (const who of order) {
      console.log(`\nround ${r + 1}: ${who}`);
      runs[who].push(await servers[who]());
    }
  }
  const med = (who: Name, f: (x: Run) => number) => median(runs[who].map(f));
  const acc = (x: Run) => x.accept;
  const e2e = (x: Run) => x.endToEnd;
  const ld = (x: Run) => x.load;
  const list = (who: Name, f: (x: Run) => number) => runs[who].map(f).join(", ");
  const y = med("Yubin", e2e);
  const pa = med("Postfix", acc);
  const pe = med("Postfix", e2e);
  const s = med("smtp-sink", acc);
  // Ratios within each round (runs seconds apart) suffer less from load swings across rounds.
  const paired = (f: (i: number) => number) => median(runs.Yubin.map((_, i) => f(i)));
  const pairE2e = paired((i) => runs.Yubin[i]!.endToEnd / runs.Postfix[i]!.endToEnd);
  const pairSink = opt.bdat ? 0 : paired((i) => runs.Yubin[i]!.endToEnd / runs["smtp-sink"][i]!.accept);
  console.log(
    [
      "",
      `Summary (Yubin / Postfix ${version}, same run, ${messages} x ${opt.size} octets, ${opt.concurrency} sessions; medians of ${rounds}):`,
      opt.bdat
        ? "  smtp-sink (ceiling)      n/a: smtp-sink has no BDAT"
        : `  smtp-sink (ceiling)      ${s} messages/s   [${list("smtp-sink", acc)}]  load ${list("smtp-sink", ld)}`,
      `  Postfix acceptance       ${pa} messages/s   [${list("Postfix", acc)}]  load ${list("Postfix", ld)}`,
      `  Postfix end-to-end       ${pe} messages/s   [${list("Postfix", e2e)}]`,
      `  Yubin (250 = delivered)  ${y} messages/s   [${list("Yubin", e2e)}]  load ${list("Yubin", ld)}`,
      `  Yubin / Postfix end-to-end  ${ratio(y, pe)}`,
      `  Yubin / Postfix acceptance  ${ratio(y, pa)}`,
      `  Yubin / smtp-sink           ${ratio(y, s)}`,
      `  Postfix e2e / smtp-sink     ${ratio(pe, s)}`,
      `  median of per-round ratios: Yubin / Postfix end-to-end ${fixed(pairE2e)}, Yubin / smtp-sink ${fixed(pairSink)}`,
      `  load average (1 min) now ${load1()}; median at run start: sink ${opt.bdat ? "n/a" : med("smtp-sink", ld)}, Postfix ${med("Postfix", ld)}, Yubin ${med("Yubin", ld)}`,
    ].join("\n"),
  );
}

await main();
