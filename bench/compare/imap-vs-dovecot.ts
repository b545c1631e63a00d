// Yubin's IMAP against Dovecot's on this machine, in one run, with ratios.
// It starts a private Dovecot (own config, base_dir, state_dir, log and port under a temp dir;
// never the system service or /etc/dovecot) on maildirs holding the same messages bench/imap.ts
// gives its own server, runs bench/imap.ts against it (memory: the Dovecot master and all its
// descendants), stops it by its PID, runs bench/imap.ts against Yubin's own server, and prints
// both sets of figures and the ratios:
//   (1) mailbox of N messages: SELECT, UID FETCH 1:* (UID FLAGS), SEARCH FROM, UID FETCH n BODY[]
//   (2) 20 clients, mixed SELECT/FETCH/STORE/APPEND/EXPUNGE/IDLE: operations/s (target: Yubin at
//       least 1.5x Dovecot)
//   (3) K idle connections (LOGIN, SELECT, IDLE): server memory per connection (target: Yubin at
//       most 4 KiB; Dovecot runs one imap process per connection)
//   (4) APPEND latency with a synchronizing literal, literal and CRLF in separate writes as
//       Python's imaplib sends them, median (target: Yubin within 2x of Dovecot)
//
//   npm run bench:imap:compare                               # 100,000 messages, 10,000 idle
//   npm run bench:imap:compare -- --messages 20000 --seconds 20 --idle 10000 --dovecot-idle 2000 \
//                                 --rounds 3 --hibernate
//   npm run bench:imap:compare -- --phases 4 --rounds 3      # APPEND latency only
//   npm run bench:imap:compare -- --phases 1,2 --messages 20000 \
//                                 --yubin sqlite,sqlite:w2,postgres,postgres:w2
//                                 # several Yubin setups (store, workers; bench/compare/setups.ts)
//                                 # beside Dovecot, each with its ratio to Dovecot and to sqlite
// --dovecot-idle sets Dovecot's idle count apart (default: --idle): 10,000 imap processes is
// heavy on a small machine. --phases 1,2 or --phases 3 runs only those. Phase 2 also reports the
// server's CPU time per operation (all Dovecot processes), which other load moves less than ops/s.
// Phase 3 starts with one untimed login per user on both servers (first-login costs, such as
// Yubin's argon2id check, are not per-connection memory). --hibernate adds a Dovecot run of phase 3 alone with
// imap_hibernate_timeout (its idle connections handed to the imap-hibernate process).
// Logins: plaintext LOGIN on loopback; Dovecot {PLAIN} passwords, Yubin --cheap-auth (a verified
// argon2id login remembered), so 10,000 logins do not cost minutes of hashing on either side.
// Dovecot otherwise runs with its shipped defaults plus the limits the idle phase needs.
// Phases 1 and 2 run first for both servers, phase 3 after (10,000 Dovecot processes starting
// and stopping would otherwise weigh on the next run); before each run it flushes dirty pages
// (sync) and waits (at most a minute) for the load average to settle. On a shared machine figures move with the load;
// --rounds N rotates who runs first and reports medians. A benchmark, not a test: it exits 0 with a "skipped" message when Dovecot's
// IMAP server is not installed (apt-get install dovecot-imapd) or when not run as root.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { freePort, stopChild, waitForGreeting } from "../../src/testing/net.js";
import { benchArgs } from "../args.js";
import { median } from "./process.js";
import { figureRows, parseSetups, rotation, setupArgs, type YubinSetup } from "./setups.js";

const { values: opt } = benchArgs(import.meta.url, {
  options: {
    messages: { type: "string", default: "100000" },
    clients: { type: "string", default: "20" },
    seconds: { type: "string", default: "20" },
    idle: { type: "string", default: "10000" },
    "dovecot-idle": { type: "string" },
    fetches: { type: "string", default: "200" },
    appends: { type: "string", default: "200" },
    rounds: { type: "string", default: "1" },
    hibernate: { type: "boolean", default: false },
    "hibernate-only": { type: "boolean", default: false }, // skip the comparison, run only that
    dovecot: { type: "string", default: "dovecot" },
    // "1,2", "3" or "4" to run only those: phases 1 and 2 share a run, 3 and 4 have their own.
    phases: { type: "string", default: "1,2,3,4" },
    ...setupArgs,
  },
});

const PASSWORD = "bench password"; // bench/imap.ts's own server uses this one
const USER = "bench{n}@example.test";
const BENCH = new URL("../imap.ts", import.meta.url).pathname;
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 20_000;
const RUN_TIMEOUT_MS = 900_000;
const SETTLE_MAX_MS = 60_000;
/** Mail processes and files run as nobody/nogroup: Dovecot refuses root for them. */
const MAIL_OWNER = { uid: 65534, gid: 65534 };

type Result = Record<string, number>;

function findDovecot(): string | null {
  for (const c of [opt.dovecot, "/usr/sbin/dovecot", "/usr/local/sbin/dovecot"]) {
    try {
      execFileSync(c, ["--version"], { stdio: "ignore" });
      return c;
    } catch {}
  }
  return null;
}

/** bench/imap.ts in a child, with the open-files limit raised to the hard limit (phase 3 holds
 *  one descriptor per connection); echoes its output indented and returns its RESULT line. */
async function runBench(args: string[]): Promise<Result> {
  // The load average (1 min) at the start and end of each run goes with its figures: other work on
  // the machine moves them.
  const loadStart = loadavg()[0]!;
  const r = await runBenchChild(args);
  return { ...r, loadStart: round2(loadStart), loadEnd: round2(loadavg()[0]!) };
}

const round2 = (x: number) => Math.round(x * 100) / 100;

function runBenchChild(args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "/bin/sh",
      [
        "-c",
        'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"',
        process.execPath,
        "--import",
        new URL("../../scripts/ts-loader/register.mjs", import.meta.url).href,
        BENCH,
        ...args,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      process.stdout.write(d.toString().replace(/^(?=.)/gm, "    "));
    });
    const timer = setTimeout(() => child.kill("SIGTERM"), RUN_TIMEOUT_MS);
    child.on("exit", (code) => {
      clearTimeout(timer);
      const m = /^RESULT (.*)$/m.exec(out);
      if (code === 0 && m?.[1]) resolve(JSON.parse(m[1]) as Result);
      else if (code === 0 && args.includes("--write-maildirs")) resolve({});
      else reject(new Error(`bench/imap.ts ${args.slice(0, 2).join(" ")} exited with ${code}`));
    });
  });
}

function dovecotConfig(dir: string, port: number, idle: number, hibernate: boolean): string {
  const procs = idle + Number(opt.clients) + 100;
  const lines = [
    "# Written by bench/compare/imap-vs-dovecot.ts; private to this benchmark run.",
    `base_dir = ${dir}/run`,
    `state_dir = ${dir}/state`,
    `log_path = ${dir}/dovecot.log`,
    "protocols = imap",
    "listen = 127.0.0.1",
    "ssl = no",
    "disable_plaintext_auth = no",
    "auth_mechanisms = plain login",
    "mail_location = maildir:~/Maildir",
    // One imap process per connection (the default); the idle phase needs many of them, all from
    // one user+IP pair per user.
    `default_client_limit = ${procs + 1000}`,
    "protocol imap {",
    `  mail_max_userip_connections = ${procs}`,
    "}",
    "passdb {",
    "  driver = passwd-file",
    `  args = ${dir}/users`,
    "}",
    "userdb {",
    "  driver = static",
    `  args = uid=${MAIL_OWNER.uid} gid=${MAIL_OWNER.gid} home=${dir}/home/%n`,
    "}",
    "service imap-login {",
    "  inet_listener imap {",
    `    port = ${port}`,
    "  }",
    "  inet_listener imaps {",
    "    port = 0",
    "  }",
    "  process_limit = 1000",
    "}",
    "service imap {",
    `  process_limit = ${procs}`,
    ...(hibernate ? ["  unix_listener imap-master {", "    user = dovecot", "  }"] : []),
    "}",
    ...(hibernate
      ? [
          "imap_hibernate_timeout = 2s",
          "service imap-hibernate {",
          "  unix_listener imap-hibernate {",
          "    mode = 0666", // private bench dir: the imap processes run as nobody
          "  }",
          "}",
        ]
      : []),
  ];
  return `${lines.join("\n")}\n`;
}

async function benchDovecot(
  dovecot: string,
  phases: string,
  idle: number,
  hibernate: boolean,
): Promise<Result> {
  const dir = await mkdtemp(join(tmpdir(), "yubin-dovecot-imap-"));
  let child: ChildProcess | null = null;
  try {
    await chmod(dir, 0o755); // Dovecot's unprivileged processes must reach base_dir and homes
    await mkdir(join(dir, "home"));
    const messages = phases.includes("1") ? opt.messages : "0";
    await runBench(["--write-maildirs", join(dir, "home"), "--messages", messages, "--clients", opt.clients]);
    execFileSync("chown", ["-R", `${MAIL_OWNER.uid}:${MAIL_OWNER.gid}`, join(dir, "home")]);
    execFileSync("sync"); // the maildirs on disk before the clock starts, as Yubin's store is
    const n = Number(opt.clients);
    const users = Array.from(
      { length: n },
      (_, i) => `${USER.replace("{n}", String(i + 1))}:{PLAIN}${PASSWORD}\n`,
    );
    await writeFile(join(dir, "users"), users.join(""), { mode: 0o644 });
    const port = await freePort();
    const conf = join(dir, "dovecot.conf");
    await writeFile(conf, dovecotConfig(dir, port, idle, hibernate));
    const started = spawn(dovecot, ["-F", "-c", conf], { stdio: ["ignore", "inherit", "inherit"] });
    child = started;
    const greeting = await waitForGreeting(port, "* OK", () => started.exitCode !== null, START_TIMEOUT_MS);
    console.log(`    dovecot pid ${child.pid} on 127.0.0.1:${port}: ${greeting}`);
    const result = await runBench([
      ...["--host", "127.0.0.1", "--port", String(port), "--user", USER, "--pass", PASSWORD],
      ...["--pid", String(child.pid), "--pid-tree", "--phases", phases],
      ...["--messages", opt.messages, "--clients", opt.clients, "--seconds", opt.seconds],
      ...["--idle", String(idle), "--fetches", opt.fetches, "--appends", opt.appends],
      ...(hibernate ? ["--settle", "5"] : []),
    ]);
    await stopChild(child, STOP_TIMEOUT_MS);
    const log = await readFile(join(dir, "dovecot.log"), "utf8").catch(() => "");
    // Distinct problems, without the date and session prefix: one line each, at most 5.
    const kinds = new Map<string, number>();
    for (const l of log.split("\n")) {
      const m = /((?:Error|Fatal|Panic|Warning):.*)$/.exec(l);
      if (m?.[1]) kinds.set(m[1].replace(/\d+/g, "N"), (kinds.get(m[1].replace(/\d+/g, "N")) ?? 0) + 1);
    }
    for (const [k, n] of [...kinds].slice(0, 5)) console.log(`    dovecot log (${n}x): ${k.slice(0, 200)}`);
    return result;
  } finally {
    if (child) await stopChild(child, STOP_TIMEOUT_MS);
    await rm(dir, { recursive: true, force: true });
  }
}

function benchYubin(phases: string, setup: YubinSetup): Promise<Result> {
  return runBench([
    ...setup.args,
    "--cheap-auth",
    ...["--phases", phases, "--messages", phases.includes("1") ? opt.messages : "0"],
    ...["--clients", opt.clients, "--seconds", opt.seconds, "--idle", opt.idle, "--fetches", opt.fetches],
    ...["--appends", opt.appends],
  ]);
}

/** A setup's run that failed (its error printed) counts as no figures, so the other setups'
 *  figures of the same run still get their summary. */
async function failedAsEmpty(run: Promise<Result>, who: string): Promise<Result> {
  try {
    return await run;
  } catch (e) {
    console.log(`    Yubin ${who} failed: ${(e as Error).message}`);
    return {};
  }
}

/** Waits (bounded) for the 1-minute load average to fall back near where it was: tearing down
 *  10,000 Dovecot processes leaves a spike that would slow whoever runs next. */
async function settle(baseline: number): Promise<void> {
  const deadline = Date.now() + SETTLE_MAX_MS;
  // Whoever ran before left dirty pages (Dovecot: a file per message) that the kernel would write
  // back during the next run, slowing its fsyncs: written out now, so each run starts clean.
  execFileSync("sync");
  await new Promise((r) => setTimeout(r, 5000));
  while (Date.now() < deadline && loadavg()[0]! > baseline + 1.5)
    await new Promise((r) => setTimeout(r, 2000));
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");

async function main(): Promise<void> {
  const dovecot = findDovecot();
  if (!dovecot || !existsSync("/usr/lib/dovecot/imap")) {
    console.log(
      "bench:imap:compare skipped: Dovecot's IMAP server is not installed (apt-get install dovecot-imapd).",
    );
    return;
  }
  if (userInfo().uid !== 0) {
    console.log(
      "bench:imap:compare skipped: a private Dovecot needs root here (its login chroot, mail uid).",
    );
    return;
  }
  const version = execFileSync(dovecot, ["--version"]).toString().trim();
  const rounds = Math.max(1, Math.min(10, Number(opt.rounds)));
  const dIdle = Number(opt["dovecot-idle"] ?? opt.idle);
  const setups = parseSetups(opt.yubin, opt["postgres-url"]);
  const names = setups.map((x) => x.name);
  console.log(
    `Dovecot ${version}; Node ${process.version}; ${opt.messages} messages, ${opt.clients} clients x ${opt.seconds} s, ` +
      `idle: Yubin ${opt.idle}, Dovecot ${dIdle}; ${rounds} round(s); Yubin: ${names.join(", ")}; load average ${load()}`,
  );
  const t0 = Date.now();
  // The quietest of the three load averages: a spike from a previous run is not the baseline.
  const base = Math.min(...loadavg());
  // Phases 1 and 2 first, then phase 3 apart: the idle phase's process storm (Dovecot) must not
  // weigh on the other server's timings. Each step rotates who goes first, round by round.
  const newRuns = () => new Map<string, Result[]>(names.map((n) => [n, []]));
  const steps = [
    { phases: "1,2", ys: newRuns(), ds: [] as Result[] },
    { phases: "3", ys: newRuns(), ds: [] as Result[] },
    { phases: "4", ys: newRuns(), ds: [] as Result[] },
  ];
  const wanted = new Set(opt.phases.split(",").map((x) => x.trim()));
  const run = opt["hibernate-only"]
    ? []
    : steps.filter((st) => st.phases.split(",").some((p) => wanted.has(p)));
  for (const step of run)
    for (let r = 0; r < rounds; r++) {
      for (const who of rotation(["Dovecot", ...names], r)) {
        await settle(base);
        console.log(
          `\nphases ${step.phases}, round ${r + 1}: ${who === "Dovecot" ? who : `Yubin ${who}`} (load average ${load()})`,
        );
        if (who === "Dovecot") step.ds.push(await benchDovecot(dovecot, step.phases, dIdle, false));
        else
          step.ys
            .get(who)!
            .push(await failedAsEmpty(benchYubin(step.phases, setups.find((x) => x.name === who)!), who));
      }
    }
  // One result per round, phases merged.
  const ys = new Map<string, Result[]>(names.map((n) => [n, []]));
  const ds: Result[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const n of names)
      ys.get(n)!.push({ ...steps[0]!.ys.get(n)![r], ...steps[1]!.ys.get(n)![r], ...steps[2]!.ys.get(n)![r] });
    ds.push({ ...steps[0]!.ds[r], ...steps[1]!.ds[r], ...steps[2]!.ds[r] });
  }
  let hib: Result | null = null;
  if (opt.hibernate || opt["hibernate-only"]) {
    console.log(`\nDovecot with imap_hibernate_timeout = 2s, phase 3 only (load average ${load()})`);
    // Each IDLE (hibernated or not) holds an inotify instance of the mail user (all connections
    // run as nobody here); past fs.inotify.max_user_instances Dovecot disables inotify for the
    // rest and those cannot hibernate. Stay below it rather than change a system-wide setting.
    const inotify = Number(readFileSync("/proc/sys/fs/inotify/max_user_instances", "utf8"));
    const hIdle = Math.max(1, Math.min(dIdle, inotify - 16));
    if (hIdle < dIdle) console.log(`    ${hIdle} connections: fs.inotify.max_user_instances is ${inotify}`);
    await settle(base);
    hib = await benchDovecot(dovecot, "3", hIdle, true);
  }
  const y = (n: string, k: string) => median(ys.get(n)!.map((x) => x[k] ?? Number.NaN));
  const d = (k: string) => median(ds.map((x) => x[k] ?? Number.NaN));
  const f = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : "n/a");
  const fig = (k: string) => ({
    other: { name: "Dovecot", value: d(k) },
    setups: names.map((n) => ({ name: n, value: y(n, k) })),
  });
  const rows: string[] = [];
  const time = (k: string, label: string, digits = 1) =>
    rows.push(...figureRows({ label, unit: "ms", digits, timeLike: true, ...fig(k) }));
  const loads = (rs: Result[]) =>
    rs.map((x) => `${f(x.loadStart ?? Number.NaN, 2)}-${f(x.loadEnd ?? Number.NaN, 2)}`).join(", ");
  for (const st of run)
    rows.push(
      `load average (1 min) at start-end of each run, phases ${st.phases}: ${names.map((n) => `Yubin ${n} ${loads(st.ys.get(n)!)}`).join("; ")}; Dovecot ${loads(st.ds)}`,
    );
  const errors = (k: string) =>
    `  errors: Dovecot ${ds.reduce((n, x) => n + (x[k] ?? 0), 0)}; ${names.map((n) => `Yubin ${n} ${ys.get(n)!.reduce((m, x) => m + (x[k] ?? 0), 0)}`).join(", ")}`;
  if (run.includes(steps[0]!)) {
    rows.push(`(1) ${opt.messages} messages in one mailbox (time; Dovecot/Yubin > 1 means Yubin is faster)`);
    time("selectFirstMs", "SELECT INBOX (first)");
    time("selectAgainMs", "SELECT INBOX (again)");
    time("fetchAllMs", "UID FETCH 1:* (UID FLAGS)");
    time("fetchAllAgainMs", "UID FETCH 1:* (UID FLAGS) (again)");
    time("searchFromMs", "SEARCH FROM x (first)");
    time("searchFromAgainMs", "SEARCH FROM y (again)");
    time("fetchBodyMeanMs", `UID FETCH n BODY[] (mean of ${opt.fetches})`, 3);
    time("fetchBodyP50Ms", `UID FETCH n BODY[] (median of ${opt.fetches})`, 3);
    rows.push(`(2) ${opt.clients} clients, mixed load, ${opt.seconds} s`);
    rows.push(
      ...figureRows({ label: "operations/s (target >= 1.5x; with workers 2.5x)", ...fig("mixOpsPerSec") }),
      ...figureRows({ label: "commands/s", ...fig("mixCommandsPerSec") }),
      ...figureRows({
        label: "server CPU per operation (Dovecot: all its processes)",
        unit: "ms",
        digits: 3,
        timeLike: true,
        ...fig("mixServerCpuMsPerOp"),
      }),
      ...names
        .filter((n) => Number.isFinite(y(n, "mixPostgresCpuMsPerOp")))
        .map(
          (n) => `    Yubin ${n}: and PostgreSQL's ${f(y(n, "mixPostgresCpuMsPerOp"), 3)} ms per operation`,
        ),
      errors("mixErrors"),
    );
  }
  if (run.includes(steps[1]!) || hib) {
    rows.push(`(3) idle connections (LOGIN, SELECT INBOX, IDLE): server memory per connection`);
    const both = run.includes(steps[1]!);
    if (both)
      rows.push(
        ...names.map(
          (n) =>
            `  Yubin ${n}: ${f(y(n, "idleConnections"), 0)} connections, RSS ${f(y(n, "idleRssKiBPerConn"))} KiB, PSS ${f(y(n, "idlePssKiBPerConn"))} KiB per connection (target <= 4 KiB); V8 heap used ${f(y(n, "idleHeapUsedKiBPerConn"), 2)} KiB of it`,
        ),
        `  Dovecot: ${f(d("idleConnections"), 0)} connections, RSS ${f(d("idleRssKiBPerConn"))} KiB, PSS ${f(d("idlePssKiBPerConn"))} KiB per connection (sum over master and descendants)`,
      );
    if (hib)
      rows.push(
        `  Dovecot hibernating: ${hib.idleConnections ?? 0} connections, RSS ${f(hib.idleRssKiBPerConn ?? Number.NaN)} KiB, PSS ${f(hib.idlePssKiBPerConn ?? Number.NaN)} KiB per connection`,
      );
    if (both)
      rows.push(
        ...names.map(
          (n) =>
            `  Dovecot RSS / Yubin ${n} RSS per connection: ${f(d("idleRssKiBPerConn") / y(n, "idleRssKiBPerConn"), 1)}x; PSS: ${f(d("idlePssKiBPerConn") / y(n, "idlePssKiBPerConn"), 1)}x`,
        ),
      );
  }
  if (run.includes(steps[2]!)) {
    rows.push(
      `(4) APPEND latency, ${opt.appends} messages each, median (Dovecot/Yubin > 1 means Yubin is faster; target: Yubin within 2x)`,
    );
    time("appendSplitP50Ms", "{n}, literal and CRLF in 2 writes", 3);
    time("appendWholeP50Ms", "{n}, literal and CRLF in 1 write", 3);
  }
  console.log(
    `\nSummary (Yubin / Dovecot ${version}, same run${rounds > 1 ? `, medians of ${rounds}` : ""}; ` +
      `${((Date.now() - t0) / 1000).toFixed(0)} s; load average now ${load()}):\n${rows.join("\n")}`,
  );
}

await main();
