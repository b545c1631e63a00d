// Import, backup and restore benchmark (issue 16):
//   (1) generates a Maildir of N messages (bench/import/generate.ts: 5 folders, flags, keywords,
//       dovecot-uidlist, realistic sizes) and imports it with the engine (runImport + the Maildir
//       source) into a fresh data directory: messages/s and the importing process's peak RSS
//       (targets: >= 1,000 msg/s, < 300 MB);
//   (2) pulls the same mail over IMAP (the IMAP source, imapflow) from a private Dovecot
//       (src/testing/dovecot.ts: Debian's package, own config under a temp dir) serving that
//       Maildir, into another fresh data directory (target: >= 300 msg/s);
//   (3) backs up the installation of (1) (backupInstallation) while a probe takes the write lock
//       every 5 ms, as a running server's writers would: the backup's time and the longest write
//       pause; then restores it into an empty data directory (restoreInstallation), timed.
// Each import runs in a child process of its own, so its peak RSS is the import's alone.
// Full-text indexing is not part of (1) or (2): the running server's indexer does it afterwards,
// as it does for delivered mail.
//   npm run bench:import                        # 100,000 messages
//   npm run bench:import -- --messages 20000 [--dir PATH] [--keep] [--skip imap,backup]
// (2) is skipped, saying why, when Dovecot is not installed or not run as root.
// One import alone, on a Maildir of your own (what each child runs; --mem-trace prints its memory
// every 5 s): node --import tsx bench/import.ts --phase maildir --maildir DIR --data NEWDIR [--mem-trace]
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { ImapFlow } from "imapflow";
import { openStore } from "../src/app/stores.js";
import { backupInstallation } from "../src/backup/backup.js";
import { restoreInstallation } from "../src/backup/restore.js";
import { defaultConfig } from "../src/config/load.js";
import { runImport } from "../src/import/engine.js";
import { openImapSource } from "../src/import/imap/source.js";
import { openMaildirSource } from "../src/import/maildir/source.js";
import type { ImportSource, ImportSummary } from "../src/import/types.js";
import { silentLogger } from "../src/log/logger.js";
import { LocalNotifier } from "../src/store/notifier.js";
import { probeWritePauses } from "../src/store/sqlite/backup.js";
import {
  DOVECOT_MAIL_OWNER,
  dovecotSkip,
  type PrivateDovecot,
  startDovecot,
} from "../src/testing/dovecot.js";
import { benchArgs } from "./args.js";
import { generateMaildir } from "./import/generate.js";

const { values: opt } = benchArgs(
  import.meta.url,
  {
    options: {
      messages: { type: "string", default: "100000" },
      dir: { type: "string" },
      keep: { type: "boolean", default: false },
      skip: { type: "string", default: "" },
      // Internal: the child process running one import.
      phase: { type: "string" },
      maildir: { type: "string" },
      data: { type: "string" },
      port: { type: "string" },
      // Internal too: the child prints its memory (RSS, V8 heap, buffers) every 5 s to stderr.
      "mem-trace": { type: "boolean", default: false },
    },
  },
  ["phase", "maildir", "data", "port", "mem-trace"],
);

const USER = "bench";
const PASSWORD = "bench password";
const ACCOUNT = "bench@example.test";

interface PhaseResult {
  summary: ImportSummary;
  ms: number;
  maxRssMiB: number;
  /** The importing process's CPU time (user + system, all its threads): what the import costs
   *  whatever else the machine is doing, which wall-clock rates on a shared machine do not say. */
  cpuMs: number;
  loadStart: number;
  loadEnd: number;
}

/** In the child: one import into a fresh data directory; prints a PhaseResult as JSON. */
async function childImport(): Promise<void> {
  if (opt["mem-trace"]) {
    const t0 = performance.now();
    setInterval(() => {
      const m = process.memoryUsage();
      process.stderr.write(
        `mem ${round((performance.now() - t0) / 1000)} s: rss ${mib(m.rss)} heap ${mib(m.heapUsed)}/${mib(m.heapTotal)} ` +
          `external ${mib(m.external)} buffers ${mib(m.arrayBuffers)} MiB\n`,
      );
    }, 5000).unref();
  }
  const config = defaultConfig();
  config.server.dataDir = opt.data!;
  // As `yubin import` opens it: the server's indexer, not the import, indexes for search.
  const store = await openStore(config, new LocalNotifier(), silentLogger, { fullTextIndexer: false });
  try {
    await store.directory.addDomain("example.test");
    const account = await store.directory.createAccount({ address: ACCOUNT, passwordHash: "x" });
    let source: ImportSource;
    if (opt.phase === "maildir") source = await openMaildirSource(opt.maildir!);
    else
      source = await openImapSource({
        host: "127.0.0.1",
        port: Number(opt.port),
        tls: "none",
        user: USER,
        password: PASSWORD,
      });
    const loadStart = loadavg()[0]!;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    try {
      const summary = await runImport(store, account.id, source, {});
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const result: PhaseResult = {
        summary: { ...summary, failures: summary.failures.slice(0, 5) },
        ms,
        maxRssMiB: process.resourceUsage().maxRSS / 1024,
        cpuMs: (cpu.user + cpu.system) / 1000,
        loadStart,
        loadEnd: loadavg()[0]!,
      };
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } finally {
      await source.close();
    }
  } finally {
    await store.close();
  }
}

function runChild(args: string[]): Promise<PhaseResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    p.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    p.on("error", reject);
    p.on("close", (code) => {
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0) reject(new Error(`import child exited ${code}: ${out.slice(-2000)}`));
      else resolve(JSON.parse(line) as PhaseResult);
    });
  });
}

const round = (n: number, d = 0) => Math.round(n * 10 ** d) / 10 ** d;
const mib = (bytes: number) => round(bytes / 1048576, 1);

function report(name: string, r: PhaseResult, target: number): void {
  const s = r.summary;
  const rate = s.imported / (r.ms / 1000);
  console.log(
    `${name}: ${s.imported} messages (${mib(s.bytes)} MiB) in ${round(r.ms / 1000, 1)} s = ${round(rate)} msg/s ` +
      `(target >= ${target}), peak RSS ${round(r.maxRssMiB)} MiB; CPU ${round(r.cpuMs / 1000, 1)} s = ` +
      `${round(s.imported / (r.cpuMs / 1000))} msg per CPU-second; load average ${r.loadStart.toFixed(1)} -> ${r.loadEnd.toFixed(1)}; ` +
      `folders ${s.folders}, UIDs kept in ${s.keptUids}, ` +
      `duplicates ${s.duplicates}, failed ${s.failed}${s.failures.length ? ` (${s.failures.map((f) => f.reason).join("; ")})` : ""}`,
  );
}

/** Dovecot indexes a Maildir at its first SELECT; done before the pull is timed (and reported). */
async function warmDovecot(port: number): Promise<number> {
  const t0 = performance.now();
  const c = new ImapFlow({
    host: "127.0.0.1",
    port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: USER, pass: PASSWORD },
    logger: false,
  });
  c.on("error", () => {});
  await c.connect();
  try {
    for (const box of await c.list()) await c.status(box.path, { messages: true, uidNext: true });
  } finally {
    await c.logout();
  }
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const count = Number(opt.messages);
  if (!Number.isSafeInteger(count) || count <= 0) throw new Error("--messages must be a positive integer");
  const skip = new Set(opt.skip.split(",").filter(Boolean));
  const root = mkdtempSync(join(opt.dir ?? tmpdir(), "yubin-bench-import-"));
  const why = skip.has("imap") ? "--skip imap" : dovecotSkip();
  let dovecot: PrivateDovecot | null = null;
  console.log(`bench:import, ${count} messages, load average ${loadavg()[0]!.toFixed(2)}, in ${root}`);
  try {
    if (why === false) dovecot = await startDovecot({ users: [{ name: USER, password: PASSWORD }] });
    const maildir = dovecot ? dovecot.maildir(USER) : join(root, "Maildir");
    let t0 = performance.now();
    const gen = generateMaildir(maildir, count);
    if (dovecot)
      execFileSync("chown", [
        "-R",
        `${DOVECOT_MAIL_OWNER.uid}:${DOVECOT_MAIL_OWNER.gid}`,
        join(maildir, ".."),
      ]);
    execFileSync("sync");
    console.log(
      `generated: ${gen.messages} messages, ${mib(gen.bytes)} MiB in ${gen.folders.length} folders ` +
        `(${gen.folders.map((f) => `${f.name} ${f.messages}`).join(", ")}) in ${round((performance.now() - t0) / 1000, 1)} s`,
    );

    const installation = join(root, "data-maildir");
    const fromMaildir = await runChild(["--phase", "maildir", "--maildir", maildir, "--data", installation]);
    report("(1) Maildir import", fromMaildir, 1000);

    if (dovecot) {
      const warm = await warmDovecot(dovecot.imapPort);
      console.log(
        `    Dovecot's first indexing of the Maildir (not timed below): ${round(warm / 1000, 1)} s`,
      );
      const pulled = join(root, "data-imap");
      const fromImap = await runChild([
        "--phase",
        "imap",
        "--port",
        String(dovecot.imapPort),
        "--data",
        pulled,
      ]);
      report("(2) IMAP pull from Dovecot", fromImap, 300);
      rmSync(pulled, { recursive: true, force: true });
    } else console.log(`(2) IMAP pull: skipped (${why})`);

    if (!skip.has("backup")) {
      const dest = join(root, "backup");
      const probe = probeWritePauses(installation);
      t0 = performance.now();
      const b = await backupInstallation({ dataDir: installation, dest });
      const backupMs = performance.now() - t0;
      const pauses = await probe.stop();
      console.log(
        `(3) backup: ${round(backupMs / 1000, 1)} s (${b.bodies.total} body files, ${b.bodies.linked} linked, ` +
          `${b.bodies.copied} copied; database ${mib(b.database.size)} MiB, VACUUM INTO ${round(b.database.vacuumMs)} ms); ` +
          `longest write pause ${round(pauses.maxMs, 1)} ms (p99 ${round(pauses.p99Ms, 1)} ms, ${pauses.samples} probes)`,
      );
      t0 = performance.now();
      const restored = join(root, "data-restored");
      const r = await restoreInstallation({ from: dest, dataDir: restored });
      console.log(
        `    restore: ${round((performance.now() - t0) / 1000, 1)} s (${r.bodies.total} body files, ${r.bodies.linked} linked, ` +
          `${r.bodies.copied} copied; ${r.manifest.counts.messages} messages)`,
      );
    }
    console.log(`load average at the end ${loadavg()[0]!.toFixed(2)}`);
  } finally {
    await dovecot?.remove();
    if (!opt.keep) rmSync(root, { recursive: true, force: true });
    else console.log(`kept ${root}`);
  }
}

if (opt.phase) await childImport();
else await main();
