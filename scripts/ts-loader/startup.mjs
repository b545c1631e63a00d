// Start-up cost of `yubin` under whichever loader a tree's bin/yubin.js uses: wall time and CPU
// (the node process and its children, esbuild's service included, from /proc; Linux only) of
// `yubin --help` to its exit and of `yubin serve` to its "ready" log line. Trees alternate run by
// run, so an A/B on a loaded machine compares like with like.
//   node scripts/ts-loader/startup.mjs [--runs 4] [--timeout-ms 60000] TREE...   (default: this tree)
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values: opt, positionals } = parseArgs({
  options: { runs: { type: "string", default: "4" }, "timeout-ms": { type: "string", default: "60000" } },
  allowPositionals: true,
});
const runs = Math.max(1, Math.min(50, Number(opt.runs) || 4));
const timeoutMs = Math.max(1000, Number(opt["timeout-ms"]) || 60000);
const trees =
  positionals.length > 0 ? positionals.map((t) => resolve(t)) : [resolve(import.meta.dirname, "../..")];
const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime+stime (and reaped children's) of a process, and its parent's pid; null once gone. */
function stat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = s.slice(s.lastIndexOf(")") + 2).split(" "); // f[0] is field 3 (state)
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) };
  } catch {
    return null;
  }
}

/** CPU of a process and of every live descendant, in ms. */
function treeCpuMs(root) {
  const all = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s) all.set(Number(name), s);
  }
  let ticks = 0;
  for (const [pid, s] of all) {
    let p = pid;
    for (let hops = 0; p > 1 && hops < 64; hops++) {
      if (p === root) {
        ticks += s.ticks;
        break;
      }
      p = all.get(p)?.ppid ?? 0;
    }
  }
  return ticks * TICK_MS;
}

/** Runs node TREE/bin/yubin.js ARGS until `done(line)` or exit; returns wall and CPU ms. */
function run(tree, args, done) {
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [join(tree, "bin/yubin.js"), ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let cpu = 0;
    // Sampled while running: the last sample before exit is the figure for a short command.
    const poll = setInterval(() => {
      cpu = Math.max(cpu, treeCpuMs(child.pid));
    }, 20);
    const timer = setTimeout(() => finish(new Error(`no result in ${timeoutMs} ms`)), timeoutMs);
    let pending = "";
    let settled = false;
    function finish(err) {
      if (settled) return;
      settled = true;
      const wall = Number(process.hrtime.bigint() - t0) / 1e6;
      clearInterval(poll);
      clearTimeout(timer);
      if (child.exitCode === null) {
        cpu = Math.max(cpu, treeCpuMs(child.pid));
        child.kill("SIGTERM");
      }
      if (err) rej(err);
      else res({ wall, cpu });
    }
    child.stdout.on("data", (d) => {
      const lines = (pending + d.toString()).split("\n");
      pending = lines.pop() ?? "";
      if (lines.some(done)) finish(null);
    });
    child.stderr.resume();
    child.on("exit", () => finish(null));
  });
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const dir = await mkdtemp(join(tmpdir(), "yubin-startup-"));
try {
  const results = new Map(trees.map((t) => [t, { help: [], serve: [] }]));
  for (let i = 0; i < runs; i++) {
    for (const tree of trees) {
      const r = results.get(tree);
      r.help.push(await run(tree, ["--help"], () => false));
      const data = join(dir, `d${i}-${trees.indexOf(tree)}`);
      const config = `${data}.toml`;
      await writeFile(
        config,
        [
          "[server]",
          'hostname = "mail.example.test"',
          `dataDir = ${JSON.stringify(data)}`,
          "[dns]",
          'servers = ["127.0.0.1:1"]',
          "[outbound]",
          "enabled = false",
          "[log]",
          'format = "json"',
          "[[listeners]]",
          'protocol = "smtp"',
          'address = "127.0.0.1"',
          "port = 0",
          'tls = "none"',
          "",
        ].join("\n"),
      );
      r.serve.push(await run(tree, ["--config", config, "serve"], (l) => l.includes('"msg":"ready"')));
    }
  }
  for (const [tree, r] of results) {
    const fmt = (xs, k) =>
      `${median(xs.map((x) => x[k])).toFixed(0)} (${xs.map((x) => x[k].toFixed(0)).join(" ")})`;
    console.log(`${tree}`);
    console.log(`  --help      wall ms ${fmt(r.help, "wall")}   cpu ms ${fmt(r.help, "cpu")}`);
    console.log(`  serve ready wall ms ${fmt(r.serve, "wall")}   cpu ms ${fmt(r.serve, "cpu")}`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
