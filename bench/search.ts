// Full-text search benchmark (issue 20): one INBOX of N messages (bench/search-corpus.ts), the
// same messages in Yubin and in a private Dovecot (its defaults: no FTS plugin), in one run:
//   - Yubin's index build rate: the store populated, its index dropped and every blob marked
//     pending (as after the v23 upgrade), then the background indexer's catch-up timed;
//   - the index size (SQLite's dbstat over the FTS5 tables and the vocabulary) as a fraction of
//     the mail's octets;
//   - UID SEARCH TEXT and UID SEARCH BODY for a rare word, a common word and a Japanese substring
//     (a LITERAL+ literal, CHARSET UTF-8): the first run, then the median of --runs more; both
//     servers must find the same number of messages.
//
//   npm run bench:search                                   # 100,000 messages, 5 runs each
//   npm run bench:search -- --messages 20000 --runs 5 [--no-dovecot]
// The own server runs in this process (startApp), the client over loopback. Dovecot runs as in
// bench/compare/imap-vs-dovecot.ts (own config and dirs under a temp dir, stopped by its PID);
// skipped when not installed or not root. LOGIN is plaintext: loopback only.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { startApp } from "../src/app/start.js";
import { hashPassword } from "../src/auth/password.js";
import { defaultConfig } from "../src/config/load.js";
import { silentLogger } from "../src/log/logger.js";
import { LocalNotifier } from "../src/store/notifier.js";
import { DATABASE_FILE, openSqliteStore } from "../src/store/sqlite/index.js";
import { freePort, stopChild, waitForGreeting } from "../src/testing/net.js";
import { benchArgs } from "./args.js";
import { median } from "./compare/process.js";
import { COMMON, JAPANESE, RARE, searchMessage } from "./search-corpus.js";

const { values: opt } = benchArgs(import.meta.url, {
  options: {
    messages: { type: "string", default: "100000" },
    runs: { type: "string", default: "5" },
    "no-dovecot": { type: "boolean", default: false },
    dovecot: { type: "string", default: "dovecot" },
  },
});
const N = Number(opt.messages);
const RUNS = Math.max(1, Number(opt.runs));
const PASSWORD = "bench password";
const USER = "bench1@example.test";
const MAIL_OWNER = { uid: 65534, gid: 65534 };
const WAIT_MS = 600_000; // bound on any one reply (Dovecot reads every message for BODY)

const SEARCHES: [string, string][] = [];
for (const key of ["TEXT", "BODY"])
  for (const [what, needle] of [
    ["rare", RARE],
    ["common", COMMON],
    ["japanese", JAPANESE],
  ] as const)
    SEARCHES.push([`${key} ${what}`, `${key} {${Buffer.byteLength(needle)}+}\r\n${needle}`]);

/** A lean IMAP client: one command at a time; the tagged reply and the SEARCH count. */
class Imap {
  private buf = "";
  private wake: (() => void) | null = null;
  private constructor(private readonly sock: Socket) {
    sock.setNoDelay(true);
    sock.setEncoding("utf8");
    sock.on("data", (d: string) => {
      this.buf += d;
      this.wake?.();
    });
    sock.on("error", () => {});
  }
  static open(port: number): Promise<Imap> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: "127.0.0.1", port }, () => resolve(new Imap(s)));
      s.once("error", reject);
    });
  }
  private n = 0;
  /** Sends a command, waits for its tagged reply; returns the lines. */
  async cmd(text: string): Promise<string[]> {
    const tag = `t${++this.n}`;
    this.sock.write(`${tag} ${text}\r\n`);
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const at = this.buf.indexOf(`\r\n${tag} `);
      const start = this.buf.startsWith(`${tag} `) ? 0 : at >= 0 ? at + 2 : -1;
      const end = start >= 0 ? this.buf.indexOf("\r\n", start) : -1;
      if (end >= 0) {
        const lines = this.buf.slice(0, end).split("\r\n");
        this.buf = this.buf.slice(end + 2);
        if (!lines[lines.length - 1]!.startsWith(`${tag} OK`)) throw new Error(lines.slice(-3).join(" | "));
        return lines;
      }
      if (Date.now() > deadline) throw new Error(`no reply to ${text.slice(0, 40)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 1000);
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
    }
  }
  close(): void {
    this.sock.destroy();
  }
}

interface SearchFigures {
  first: number;
  median: number;
  found: number;
}

async function measure(port: number): Promise<Map<string, SearchFigures>> {
  const c = await Imap.open(port);
  await c.cmd(`LOGIN ${USER} "${PASSWORD}"`);
  await c.cmd("SELECT INBOX");
  const out = new Map<string, SearchFigures>();
  for (const [name, criteria] of SEARCHES) {
    const times: number[] = [];
    let found = 0;
    for (let i = 0; i <= RUNS; i++) {
      const t0 = performance.now();
      const lines = await c.cmd(`UID SEARCH CHARSET UTF-8 ${criteria}`);
      times.push(performance.now() - t0);
      const line = lines.find((l) => l.startsWith("* SEARCH")) ?? "* SEARCH";
      found = line.split(" ").length - 2;
    }
    out.set(name, { first: times[0]!, median: median(times.slice(1)), found });
    console.log(
      `  ${name.padEnd(14)} first ${fmt(times[0]!)}  median ${fmt(median(times.slice(1)))}  (${found} found)`,
    );
  }
  c.close();
  return out;
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

async function benchYubin(): Promise<Map<string, SearchFigures>> {
  const dataDir = await mkdtemp(join(tmpdir(), "yubin-bench-search-"));
  try {
    let store = await openSqliteStore({ dataDir, notifier: new LocalNotifier(), log: silentLogger });
    await store.directory.addDomain("example.test");
    const a = await store.directory.createAccount({
      address: USER,
      passwordHash: await hashPassword(PASSWORD),
    });
    const inbox = (await store.mail.getMailbox(a.id, "INBOX"))!;
    let t0 = Date.now();
    let octets = 0;
    for (let i = 0; i < N; i += 500) {
      const jobs: Promise<unknown>[] = [];
      for (let j = i; j < Math.min(N, i + 500); j++) {
        const m = searchMessage(j);
        octets += m.length;
        jobs.push(store.mail.deliver(m, [{ accountId: a.id, mailboxId: inbox.id }]));
      }
      await Promise.all(jobs);
    }
    console.log(
      `yubin: stored ${N} messages (${(octets / 1e6).toFixed(1)} MB) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    await store.close();
    // As after the upgrade to v23: no index rows, no vocabulary, every blob pending.
    const db = new Database(join(dataDir, DATABASE_FILE));
    db.exec(`DELETE FROM ftw_head; DELETE FROM ftw_body; DELETE FROM ftw_more; DELETE FROM ftw_terms;
      DELETE FROM ftw_terms_tri; INSERT OR REPLACE INTO fts_pending (blob_id, partial) SELECT id, 0 FROM blobs;
      VACUUM;`);
    db.close();
    store = await openSqliteStore({ dataDir, notifier: new LocalNotifier(), log: silentLogger });
    t0 = Date.now();
    await store.fullText.catchUp();
    const s = (Date.now() - t0) / 1000;
    console.log(`yubin: index built in ${s.toFixed(1)} s: ${Math.round(N / s)} messages/s`);
    await store.close();
    const ro = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
    const ftsBytes = ro
      .prepare(
        "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'ftw%' OR name = 'sqlite_autoindex_ftw_terms_1'",
      )
      .pluck()
      .get() as number;
    ro.close();
    console.log(
      `yubin: index ${(ftsBytes / 1e6).toFixed(1)} MB = ${((ftsBytes / octets) * 100).toFixed(1)} % of the mail`,
    );

    const config = defaultConfig();
    config.server.dataDir = dataDir;
    config.server.hostname = "localhost";
    config.imap.allowPlaintextAuth = true;
    config.listeners = [{ protocol: "imap", address: "127.0.0.1", port: 0, tls: "none" }];
    const app = await startApp(config, { log: silentLogger });
    try {
      console.log("yubin searches:");
      return await measure(app.listeners[0]!.port);
    } finally {
      await app.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function benchDovecot(): Promise<Map<string, SearchFigures> | null> {
  const haveDovecot = existsSync("/usr/sbin/dovecot") || opt.dovecot !== "dovecot";
  if (opt["no-dovecot"] || !haveDovecot || userInfo().uid !== 0) {
    console.log("dovecot: skipped (--no-dovecot, not installed, or not root)");
    return null;
  }
  const dir = await mkdtemp(join(tmpdir(), "yubin-dovecot-search-"));
  let child: ChildProcess | null = null;
  try {
    await chmod(dir, 0o755);
    const md = join(dir, "home", "bench1", "Maildir");
    for (const sub of ["cur", "new", "tmp"]) await mkdir(join(md, sub), { recursive: true });
    for (let i = 0; i < N; i += 500) {
      const jobs: Promise<void>[] = [];
      for (let j = i; j < Math.min(N, i + 500); j++) {
        const crlf = searchMessage(j);
        const lf = Buffer.from(crlf.toString("latin1").replaceAll("\r\n", "\n"), "latin1");
        jobs.push(
          writeFile(
            join(md, "cur", `${1700000000 + j}.M${j}P1.bench,S=${lf.length},W=${crlf.length}:2,S`),
            lf,
          ),
        );
      }
      await Promise.all(jobs);
    }
    execFileSync("chown", ["-R", `${MAIL_OWNER.uid}:${MAIL_OWNER.gid}`, join(dir, "home")]);
    execFileSync("sync");
    await writeFile(join(dir, "users"), `${USER}:{PLAIN}${PASSWORD}\n`, { mode: 0o644 });
    const port = await freePort();
    const conf = join(dir, "dovecot.conf");
    await writeFile(
      conf,
      [
        "# Written by bench/search.ts; private to this benchmark run.",
        `base_dir = ${dir}/run`,
        `state_dir = ${dir}/state`,
        `log_path = ${dir}/dovecot.log`,
        "protocols = imap",
        "listen = 127.0.0.1",
        "ssl = no",
        "disable_plaintext_auth = no",
        "mail_location = maildir:~/Maildir",
        "passdb {\n  driver = passwd-file\n  args = " + `${dir}/users\n}`,
        "userdb {\n  driver = static\n  args = " +
          `uid=${MAIL_OWNER.uid} gid=${MAIL_OWNER.gid} home=${dir}/home/%n\n}`,
        `service imap-login {\n  inet_listener imap {\n    port = ${port}\n  }\n  inet_listener imaps {\n    port = 0\n  }\n}`,
        "",
      ].join("\n"),
    );
    const started = spawn(opt.dovecot, ["-F", "-c", conf], { stdio: ["ignore", "inherit", "inherit"] });
    child = started;
    await waitForGreeting(port, "* OK", () => started.exitCode !== null, 15_000);
    console.log(
      `dovecot: pid ${child.pid} on 127.0.0.1:${port}; searches (the first SELECT builds its index, untimed):`,
    );
    return await measure(port);
  } finally {
    if (child) await stopChild(child, 20_000);
    await rm(dir, { recursive: true, force: true });
  }
}

const load = (): string => readFileSync("/proc/loadavg", "utf8").split(" ")[0] ?? "?";

console.log(`search bench: ${N} messages, ${RUNS} timed runs after the first; load ${load()}`);
const yubin = await benchYubin();
const dovecot = await benchDovecot();
console.log(
  `\n${"search".padEnd(14)} ${"yubin median".padStart(13)} ${"dovecot median".padStart(15)}  found`,
);
for (const [name] of SEARCHES) {
  const y = yubin.get(name)!;
  const d = dovecot?.get(name);
  const same = d ? (d.found === y.found ? "" : ` MISMATCH: dovecot ${d.found}`) : "";
  console.log(
    `${name.padEnd(14)} ${fmt(y.median).padStart(13)} ${(d ? fmt(d.median) : "-").padStart(15)}  ${y.found}${same}`,
  );
}
console.log(`load at the end ${load()}`);
