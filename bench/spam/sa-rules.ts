// Which of SpamAssassin's rules catch training spam that Yubin's filter misses (the evidence for
// src/spam/rules/forged-mua.ts; docs/ARCHITECTURE.md "Spam classifier"). Training groups only:
// SpamAssassin (Debian's package, a private spamd with local tests and no Bayes, so its rules
// alone) names the rules each of the 3,250 training messages fires (spamd's SYMBOLS command);
// beside them, Yubin's out-of-fold filter score (blocked k-fold cross-validation of the
// classifier, as tune.ts --blocked, plus the shipped rules). For every rule that fired on ≥ 5
// messages: how many spam and ham it fired on, on how many of the spam under the filter's 0.1 %
// and 1 % ham false-positive points, and the recall at both points with the rule added at one
// point. Usage:
//   node --import tsx bench/spam/sa-rules.ts [--folds 5] [--sa-json FILE]
// --sa-json keeps SpamAssassin's answers in FILE (written when absent, read when present): its
// run takes ~10 minutes of two cores; the folds are cheap.
import { type ChildProcess, spawn } from "node:child_process";
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { connect } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { bayesSignals } from "../../src/spam/rules/index.js";
import { freePort, stopChild } from "../../src/testing/net.js";
import type { Sample } from "./corpus.js";
import { blockedFolds, outOfFoldProbabilities, type TrainingItem, trainingItems } from "./folds.js";
import { recallAtFpr, type Scored } from "./metrics.js";
import { SPAMD, spamAssassinInstalled } from "./spamassassin.js";

const argv = process.argv.slice(2);
const arg = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const folds = Number(arg("--folds") ?? 5) || 5;
const saJson = arg("--sa-json");
const START_TIMEOUT_MS = 180_000;
const CHECK_TIMEOUT_MS = 120_000;

const items = trainingItems();
const train = items.map((it) => it.sample);

/** Rule names SpamAssassin fired, by sample id. */
async function saRules(samples: readonly Sample[]): Promise<Map<string, string[]>> {
  if (saJson !== undefined && existsSync(saJson))
    return new Map(Object.entries(JSON.parse(readFileSync(saJson, "utf8")) as Record<string, string[]>));
  if (!spamAssassinInstalled())
    throw new Error("SpamAssassin is not installed (apt-get install spamassassin)");
  const dir = mkdtempSync(join(tmpdir(), "yubin-sa-rules-"));
  chmodSync(dir, 0o755);
  const site = join(dir, "site");
  mkdirSync(site);
  for (const f of readdirSync("/etc/spamassassin"))
    if ((f.endsWith(".pre") || f.endsWith(".cf")) && f !== "local.cf")
      copyFileSync(join("/etc/spamassassin", f), join(site, f));
  // Rules only: no Bayes (its verdict is what we compare against), no network tests (-L).
  writeFileSync(join(site, "local.cf"), "use_bayes 0\nbayes_auto_learn 0\n");
  const port = await freePort();
  const log = openSync(join(dir, "spamd.log"), "w");
  const asRoot = userInfo().uid === 0;
  let spamd: ChildProcess | null = null;
  try {
    spamd = spawn(
      SPAMD,
      [
        "-L",
        `--siteconfigpath=${site}`,
        "--nouser-config",
        ...(asRoot ? ["-u", "nobody"] : []),
        `--listen=127.0.0.1:${port}`,
        "--max-children=2",
        "--min-children=2",
        "--syslog=stderr",
      ],
      { env: { ...process.env, HOME: dir }, stdio: ["ignore", "ignore", log] },
    );
    const started = Date.now();
    while (!(await request(port, "PING SPAMC/1.5\r\n\r\n").catch(() => "")).includes("PONG")) {
      if (Date.now() - started > START_TIMEOUT_MS || spamd.exitCode !== null)
        throw new Error("spamd did not answer PING");
      await new Promise((r) => setTimeout(r, 500));
    }
    const out = new Map<string, string[]>();
    let next = 0;
    const worker = async () => {
      while (next < samples.length) {
        const s = samples[next++]!;
        const reply = await request(
          port,
          `SYMBOLS SPAMC/1.5\r\nContent-length: ${s.body.length}\r\n\r\n`,
          s.body,
        );
        // The reply's body is the comma-separated rule names (spamd(1), PROTOCOL: SYMBOLS).
        const body = reply.slice(reply.indexOf("\r\n\r\n") + 4).trim();
        out.set(s.id, body === "" ? [] : body.split(","));
        if (out.size % 250 === 0) console.error(`spamd: ${out.size} of ${samples.length}`);
      }
    };
    await Promise.all([worker(), worker()]);
    if (saJson !== undefined) writeFileSync(saJson, JSON.stringify(Object.fromEntries(out)));
    return out;
  } finally {
    if (spamd) await stopChild(spamd, 10_000);
    closeSync(log);
    rmSync(dir, { recursive: true, force: true });
  }
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

/** The filter's local score (shipped rules + BAYES_*, not rounded) of every training message,
 *  the classifier's probability out of fold (blocked folds, as tune.ts --blocked). */
async function outOfFoldScores(all: readonly TrainingItem[]): Promise<number[]> {
  const prob = await outOfFoldProbabilities(all, blockedFolds(train, folds), folds);
  return prob.map((p, i) =>
    [...all[i]!.rules, ...bayesSignals({ probability: p, ready: true })].reduce((sum, s) => sum + s.score, 0),
  );
}

const rules = await saRules(train);
const base = await outOfFoldScores(items);
const labels = train.map((s) => s.label);
const scored = (extra: (i: number) => number): Scored[] =>
  base.map((b, i) => ({ score: Math.round(10 * (b + extra(i))) / 10, label: labels[i]! }));
const at = (s: Scored[]) => [recallAtFpr(s, 0.001), recallAtFpr(s, 0.01)] as const;
const [p1, p10] = at(scored(() => 0));
const pct = (x: number) => `${(100 * x).toFixed(1)}`;
console.log(
  `cv${folds} filter score: recall at 0.1 % FP ${pct(p1.recall)} % (t=${p1.threshold}), at 1 % ${pct(p10.recall)} % (t=${p10.threshold})`,
);
const fired = new Map<string, number[]>();
for (const [i, s] of train.entries())
  for (const r of rules.get(s.id) ?? []) fired.set(r, [...(fired.get(r) ?? []), i]);
const rows: [string, string, number][] = [];
for (const [name, idx] of fired) {
  if (idx.length < 5) continue;
  const on = new Set(idx);
  const spam = idx.filter((i) => labels[i] === "spam").length;
  const missed = (t: number) => idx.filter((i) => labels[i] === "spam" && base[i]! <= t).length;
  const [r1, r10] = at(scored((i) => (on.has(i) ? 1 : 0)));
  const gain = r1.recall - p1.recall + (r10.recall - p10.recall);
  rows.push([
    name,
    `${name.padEnd(30)} spam ${String(spam).padStart(4)} ham ${String(idx.length - spam).padStart(4)}  missed ${String(missed(p1.threshold)).padStart(3)} / ${String(missed(p10.threshold)).padStart(3)}  +1 point: ${pct(r1.recall)} / ${pct(r10.recall)} %`,
    gain,
  ]);
}
console.log(
  "rule (spam and ham it fired on; of the spam under the 0.1 % / 1 % points; recall with it at one point)",
);
for (const [, line] of rows.sort((a, b) => b[2] - a[2] || a[0].localeCompare(b[0]))) console.log(line);
