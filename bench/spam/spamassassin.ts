// SpamAssassin from Debian's package, as bench:spam's point of comparison: a private instance in a
// temp dir (its own site config, Bayes database and HOME; never /etc/spamassassin/local.cf, the
// system's Bayes or anyone's user_prefs), local tests only (-L: no DNS lists, Razor, Pyzor, DCC),
// Bayes trained with sa-learn on exactly the messages Yubin trains on, then every test message
// scored by spamd over its own protocol (SPAMC/1.5 CHECK), two children, as an admin runs it.
// Installs nothing: when the package is absent the caller prints "skipped".
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from "node:fs";
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { freePort, stopChild } from "../../src/testing/net.js";
import type { Sample } from "./corpus.js";

export const SA_LEARN = "/usr/bin/sa-learn";
export const SPAMD = "/usr/sbin/spamd";
const SITE_CONFIG = "/etc/spamassassin"; // the package's plugin loads (*.pre) and Debian's rules
const START_TIMEOUT_MS = 120_000; // spamd compiles the whole rule set before it answers
const STOP_TIMEOUT_MS = 10_000;
const CHECK_TIMEOUT_MS = 60_000; // one message; SA's own rule timeouts are shorter
const CHILDREN = 2; // this machine's cores

export function spamAssassinInstalled(): boolean {
  return existsSync(SA_LEARN) && existsSync(SPAMD);
}

export function spamAssassinVersion(): string {
  const out = execFileSync(SA_LEARN, ["--version"]).toString();
  return /version (\S+)/.exec(out)?.[1] ?? out.trim();
}

export interface SaScore {
  id: string;
  score: number;
  label: "spam" | "ham";
  /** Wall time of the CHECK request, with CHILDREN requests in flight. */
  ms: number;
}

export interface SaRun {
  version: string;
  learnSeconds: number;
  /** What sa-learn's database says it holds, from `sa-learn --dump magic`. */
  nspam: number;
  nham: number;
  scanSeconds: number;
  /** CPU time spamd (master and children) spent per scored message: comparable with Yubin's
   *  per-message CPU time on a machine whose load inflates wall times. */
  cpuMsPerMessage: number;
  scores: SaScore[];
  /** Test messages not scored before the deadline (then the figures are over the rest). */
  unscored: number;
}

export interface SaOptions {
  train: readonly Sample[];
  test: readonly Sample[];
  /** Wall-clock budget for scoring the test set. */
  scanBudgetMs: number;
  progress: (line: string) => void;
}

export async function runSpamAssassin(o: SaOptions): Promise<SaRun> {
  const dir = await mkdtemp(join(tmpdir(), "yubin-bench-sa-"));
  let spamd: ChildProcess | null = null;
  let log: number | null = null;
  try {
    const site = join(dir, "site");
    const bayes = join(dir, "bayes");
    await mkdir(site);
    await mkdir(bayes);
    // Running as root, spamd scans as `nobody` (-u): its Bayes database must be theirs to open.
    await chmod(dir, 0o755);
    await chmod(bayes, 0o777);
    for (const f of readdirSync(SITE_CONFIG)) {
      if ((f.endsWith(".pre") || f.endsWith(".cf")) && f !== "local.cf")
        await copyFile(join(SITE_CONFIG, f), join(site, f));
    }
    await writeFile(
      join(site, "local.cf"),
      [
        "# bench:spam: Bayes on, trained only by sa-learn (no auto-learning during the test), no",
        "# network tests (-L on every command line: local_tests_only is not a config-file option).",
        "use_bayes 1",
        "bayes_auto_learn 0",
        "bayes_auto_expire 0",
        `bayes_path ${join(bayes, "bayes")}`,
        "bayes_file_mode 0666",
        "",
      ].join("\n"),
    );
    const env = { ...process.env, HOME: dir };
    const common = ["-L", `--siteconfigpath=${site}`, "-p", "/dev/null"];

    // Training: the same messages, as files (sa-learn reads a directory of one message per file).
    const t0 = Date.now();
    for (const label of ["ham", "spam"] as const) {
      const d = join(dir, `train-${label}`);
      await mkdir(d);
      const mine = o.train.filter((s) => s.label === label);
      await Promise.all(mine.map((s, i) => writeFile(join(d, `${i}.eml`), s.body)));
      o.progress(`SpamAssassin: sa-learn --${label} on ${mine.length} messages`);
      const out = execFileSync(SA_LEARN, [...common, `--${label}`, d], { env, maxBuffer: 1 << 24 });
      o.progress(`  ${out.toString().trim()}`);
    }
    const learnSeconds = (Date.now() - t0) / 1000;
    const magic = execFileSync(SA_LEARN, [...common, "--dump", "magic"], { env }).toString();
    // Lines like "0.000  0  500  0  non-token data: nspam": the count is the third column.
    const magicCount = (what: string) =>
      Number(
        new RegExp(`^\\S+\\s+\\d+\\s+(\\d+)\\s+\\d+\\s+non-token data: ${what}$`, "m").exec(magic)?.[1] ??
          Number.NaN,
      );
    // sa-learn ran as us; spamd reads (and locks) the files as nobody.
    for (const f of readdirSync(bayes)) await chmod(join(bayes, f), 0o666);

    const port = await freePort();
    // Its log goes to a file in the temp dir (a line per message); the tail is shown on failure.
    log = openSync(join(dir, "spamd.log"), "w");
    const asRoot = userInfo().uid === 0;
    spamd = spawn(
      SPAMD,
      [
        "-L",
        `--siteconfigpath=${site}`,
        "--nouser-config",
        ...(asRoot ? ["-u", "nobody"] : []),
        `--listen=127.0.0.1:${port}`,
        `--max-children=${CHILDREN}`,
        `--min-children=${CHILDREN}`,
        "--syslog=stderr",
      ],
      { env, stdio: ["ignore", "ignore", log] },
    );
    const child = spamd;
    o.progress(`SpamAssassin: spamd pid ${child.pid} on 127.0.0.1:${port}, ${CHILDREN} children`);
    await waitForPong(port, () => child.exitCode !== null, START_TIMEOUT_MS).catch((e: unknown) => {
      const tail = readFileSync(join(dir, "spamd.log"), "utf8").split("\n").slice(-20).join("\n");
      throw new Error(`${e instanceof Error ? e.message : String(e)}; spamd log:\n${tail}`);
    });

    const cpu0 = treeCpuMs(child.pid!);
    const t1 = Date.now();
    const deadline = t1 + o.scanBudgetMs;
    const scores: SaScore[] = [];
    let next = 0;
    const worker = async () => {
      while (next < o.test.length && Date.now() < deadline) {
        const s = o.test[next++]!;
        const start = process.hrtime.bigint();
        const score = await check(port, s.body);
        scores.push({ id: s.id, label: s.label, score, ms: Number(process.hrtime.bigint() - start) / 1e6 });
        if (scores.length % 500 === 0) o.progress(`  scored ${scores.length} of ${o.test.length}`);
      }
    };
    await Promise.all(Array.from({ length: CHILDREN }, worker));
    const cpuMs = treeCpuMs(child.pid!) - cpu0;
    return {
      cpuMsPerMessage: scores.length > 0 ? cpuMs / scores.length : Number.NaN,
      version: spamAssassinVersion(),
      learnSeconds,
      nspam: magicCount("nspam"),
      nham: magicCount("nham"),
      scanSeconds: (Date.now() - t1) / 1000,
      scores,
      unscored: o.test.length - scores.length,
    };
  } finally {
    if (spamd) await stopChild(spamd, STOP_TIMEOUT_MS);
    if (log !== null) closeSync(log);
    await rm(dir, { recursive: true, force: true });
  }
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ: 100 on Linux

/** CPU time (user + system) of a process, its reaped children (a spamd child is replaced after
 *  its 200th connection) and its living children, in ms, from /proc (proc(5) stat fields 14–17). */
function treeCpuMs(pid: number): number {
  const fields = (p: number): number[] | null => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "latin1");
      return stat
        .slice(stat.lastIndexOf(")") + 2)
        .split(" ")
        .map(Number);
    } catch {
      return null;
    }
  };
  // After "pid (comm) ", field 3 (state) is index 0: ppid is 1, utime..cstime are 11..14.
  const own = fields(pid);
  if (!own) return Number.NaN;
  let ticks = own[11]! + own[12]! + own[13]! + own[14]!;
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    const f = fields(Number(d));
    if (f && f[1] === pid) ticks += f[11]! + f[12]!;
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** spamd's score for one message: "CHECK SPAMC/1.5", the message, then the "Spam: <bool> ;
 *  <score> / <threshold>" header of its reply (spamc's protocol, spamd(1) PROTOCOL). */
function check(port: number, body: Buffer): Promise<number> {
  return request(port, `CHECK SPAMC/1.5\r\nContent-length: ${body.length}\r\n\r\n`, body).then((reply) => {
    const m = /^Spam: \w+ ; (-?\d+(?:\.\d+)?) \//m.exec(reply);
    if (!m) throw new Error(`spamd: unexpected reply ${JSON.stringify(reply.slice(0, 200))}`);
    return Number(m[1]);
  });
}

function request(port: number, head: string, body?: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port });
    let buf = "";
    s.setTimeout(CHECK_TIMEOUT_MS, () => s.destroy(new Error("spamd: no reply in time")));
    s.on("connect", () => {
      s.write(head);
      if (body) s.write(body);
      s.end();
    });
    s.on("data", (d: Buffer) => {
      buf += d.toString("latin1");
    });
    s.on("error", reject);
    s.on("close", () => resolve(buf));
  });
}

async function waitForPong(port: number, exited: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) throw new Error("spamd exited before it answered");
    const reply = await request(port, "PING SPAMC/1.5\r\n\r\n").catch(() => "");
    if (reply.includes("PONG")) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`spamd did not answer PING within ${timeoutMs} ms`);
}
