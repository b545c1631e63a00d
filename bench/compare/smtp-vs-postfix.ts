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
//              durably in the mailbox: its one figure is end-to-end. It checks SPF, DKIM and
//              DMARC of every message (bench/smtp.ts --mailauth on, the default: the sender's
//              DNS served in-process, each message DKIM-signed; the run fails unless all pass).
//              Postfix does no such checks by default (no SPF/DKIM/DMARC milter or policy
//              service here), and smtp-sink none: Yubin does more work per message than either.
//              --mailauth off runs Yubin without them, as the figures before 2026-12-07 were.
// Each server starts fresh (empty queue and mailboxes) for each run and is stopped by PID.
//
//   npm run bench:smtp:compare
//   npm run bench:smtp:compare -- --rounds 5 --messages 5000 --concurrency 20 --size 4096 [--bdat]
//   npm run bench:smtp:compare -- --per-message --yubin sqlite,sqlite:w2,postgres,postgres:w2
//                          # one connection per message (as smtp-source sends); several Yubin
//                          # setups (store, workers; bench/compare/setups.ts) beside Postfix, each
//                          # with its ratio to Postfix and to one-process SQLite
//
// The machine may be shared: every run prints the 1-minute load average, rounds rotate the
// order of the three servers and the summary gives medians. A benchmark, not a test: it exits 0
// with a "skipped" message when Postfix is not installed (apt-get install postfix) or not root.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg, userInfo } from "node:os";
import { freePort, stopChild, waitForGreeting } from "../../src/testing/net.js";
import { benchArgs as parseBenchArgs } from "../args.js";
import { median, runNode } from "./process.js";
import { parseSetups, REFERENCE, rotation, setupArgs, type YubinSetup } from "./setups.js";
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

const { values: opt } = parseBenchArgs(import.meta.url, {
  options: {
    rounds: { type: "string", default: "3" },
    messages: { type: "string", default: "5000" },
    concurrency: { type: "string", default: "20" },
    size: { type: "string", default: "4096" },
    mailboxes: { type: "string", default: "20" },
    bdat: { type: "boolean", default: false },
    // One connection per message (greeting, EHLO, transaction, QUIT), for every server.
    "per-message": { type: "boolean", default: false },
    ...setupArgs,
    // Yubin's inbound SPF/DKIM/DMARC checks (bench/smtp.ts --mailauth); Postfix's side has none.
    mailauth: { type: "string", default: "on" },
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

if (opt.mailauth !== "on" && opt.mailauth !== "off") throw new Error("--mailauth on|off");
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
  ...(opt["per-message"] ? ["--per-message"] : []),
];

interface BenchResult {
  seconds: number;
  messagesPerSecond: number;
  startedAtMs: number;
  serverPeakRssMB: number | null;
  serverCpuMsPerMessage?: number | null;
  postgresCpuMsPerMessage?: number;
}

interface Run {
  load: number;
  accept: number; // messages/s as the client saw 250s
  endToEnd: number; // messages/s until all were on disk in mailboxes
  /** Yubin: server CPU per message (its processes), and a private PostgreSQL's; else NaN. */
  cpuMs: number;
  postgresCpuMs: number;
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
    return { load, accept: r.messagesPerSecond, endToEnd: r.messagesPerSecond, ...NO_CPU };
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
    return { load, accept: r.messagesPerSecond, endToEnd, ...NO_CPU };
  } finally {
    if (pf) await stopPostfix(pf, opt.keep);
    if (pf && opt.keep) console.log(`    postfix dir kept: ${pf.dir}`);
  }
}

const NO_CPU = { cpuMs: Number.NaN, postgresCpuMs: Number.NaN };

async function benchYubin(setup: YubinSetup): Promise<Run> {
  const load = load1();
  console.log(`    load average ${load}`);
  // Its 250 follows the durable mailbox write, so acceptance is end-to-end.
  const r = await bench([...setup.args, "--mailauth", opt.mailauth]);
  return {
    load,
    accept: r.messagesPerSecond,
    endToEnd: r.messagesPerSecond,
    cpuMs: r.serverCpuMsPerMessage ?? Number.NaN,
    postgresCpuMs: r.postgresCpuMsPerMessage ?? Number.NaN,
  };
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
  const setups = parseSetups(opt.yubin, opt["postgres-url"]);
  console.log(
    `Postfix ${version}; Node ${process.version}; ${messages} messages of ${opt.size} octets, ${opt.concurrency} sessions, ${opt.bdat ? "BDAT" : "DATA"}, connections ${opt["per-message"] ? "one per message" : "reused"}, ${rounds} round(s); Yubin: ${setups.map((x) => x.name).join(", ")}, inbound SPF/DKIM/DMARC checks ${opt.mailauth} (Postfix: none)`,
  );
  const others = { "smtp-sink": benchSink, Postfix: benchPostfix } as const;
  type Other = keyof typeof others;
  // smtp-sink knows no BDAT (it answers 500), so with --bdat there is no ceiling run.
  const otherNames = (Object.keys(others) as Other[]).filter((n) => !(opt.bdat && n === "smtp-sink"));
  const yubin = (name: string) => `Yubin ${name}`;
  const names = [...otherNames, ...setups.map((x) => yubin(x.name))];
  const runs = new Map<string, Run[]>(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    // Rotate who goes first, so a load change on the machine does not favour one side.
    for (const who of rotation(names, r)) {
      console.log(`\nround ${r + 1}: ${who}`);
      const setup = setups.find((x) => yubin(x.name) === who);
      runs.get(who)!.push(
        setup
          ? await benchYubin(setup).catch((e: Error): Run => {
              // Its figures are missing from the medians; the other setups' still count.
              console.log(`    ${who} failed: ${e.message}`);
              return { load: Number.NaN, accept: Number.NaN, endToEnd: Number.NaN, ...NO_CPU };
            })
          : await others[who as Other](),
      );
    }
  }
  const med = (who: string, f: (x: Run) => number) => median(runs.get(who)!.map(f));
  const acc = (x: Run) => x.accept;
  const e2e = (x: Run) => x.endToEnd;
  const ld = (x: Run) => x.load;
  const list = (who: string, f: (x: Run) => number) => runs.get(who)!.map(f).join(", ");
  const pa = med("Postfix", acc);
  const pe = med("Postfix", e2e);
  const s = opt.bdat ? Number.NaN : med("smtp-sink", acc);
  const ref = setups.some((x) => x.name === REFERENCE) ? med(yubin(REFERENCE), e2e) : Number.NaN;
  // Ratios within each round (runs seconds apart) suffer less from load swings across rounds.
  const paired = (who: string, other: string, f: (x: Run) => number) =>
    median(runs.get(who)!.map((x, i) => e2e(x) / f(runs.get(other)![i]!)));
  const width = Math.max(...setups.map((x) => x.name.length));
  const yubinRows = setups.flatMap((x) => {
    const who = yubin(x.name);
    const y = med(who, e2e);
    const cpu = med(who, (r) => r.cpuMs);
    const pgCpu = med(who, (r) => r.postgresCpuMs);
    return [
      `  Yubin ${x.name.padEnd(width)} (250 = delivered)  ${y} messages/s   [${list(who, e2e)}]  load ${list(who, ld)}`,
      `      / Postfix end-to-end ${ratio(y, pe)}, / Postfix acceptance ${ratio(y, pa)}, / smtp-sink ${ratio(y, s)}` +
        `${x.name !== REFERENCE ? `, / ${REFERENCE} ${ratio(y, ref)}` : ""}; per round / Postfix e2e ${fixed(paired(who, "Postfix", e2e))}`,
      `      server CPU ${Number.isFinite(cpu) ? cpu.toFixed(3) : "n/a"} ms per message${Number.isFinite(pgCpu) ? `, PostgreSQL's ${pgCpu.toFixed(3)} ms` : ""}`,
    ];
  });
  console.log(
    [
      "",
      `Summary (Yubin / Postfix ${version}, same run, ${messages} x ${opt.size} octets, ${opt.concurrency} sessions, connections ${opt["per-message"] ? "one per message" : "reused"}; Yubin's SPF/DKIM/DMARC checks ${opt.mailauth}, Postfix's none; medians of ${rounds}):`,
      opt.bdat
        ? "  smtp-sink (ceiling)      n/a: smtp-sink has no BDAT"
        : `  smtp-sink (ceiling)      ${s} messages/s   [${list("smtp-sink", acc)}]  load ${list("smtp-sink", ld)}`,
      `  Postfix acceptance       ${pa} messages/s   [${list("Postfix", acc)}]  load ${list("Postfix", ld)}`,
      `  Postfix end-to-end       ${pe} messages/s   [${list("Postfix", e2e)}]`,
      ...yubinRows,
      `  Postfix e2e / smtp-sink     ${ratio(pe, s)}`,
      `  load average (1 min) now ${load1()}; median at run start: ${names.map((n) => `${n} ${med(n, ld)}`).join(", ")}`,
    ].join("\n"),
  );
}

await main();
