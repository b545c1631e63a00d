// Hostile-neighbour benchmark (issue 18): does one attacker slow everybody else down?
// Yubin serves every client on one event loop, so a super-linear algorithm or an unbounded buffer
// reached by one client is felt by all. This runs C normal IMAP clients (default 20), each in a
// loop of SELECT / FETCH / SEARCH / NOOP on its own INBOX, for T seconds (default 10) each:
//   quiet:   the normal clients alone;
//   hostile: the same, while one more client sends the issue's hostile inputs in turn:
//            LIST "" "%%%…" (60 %) and LIST "" "*a*a*a*a*a*a*a*a*b" over a 60-character folder
//            name; SORT (SUBJECT) and THREAD ORDEREDSUBJECT over a stored message whose Subject is
//            "[fwd:" × K … "]" × K (288 KB); JMAP Email/get (preview, sentAt) of stored messages
//            whose HTML is 160 KB of "<" or of "<style>", or whose Date is 160 KB of "("; one
//            pre-login command of hundreds of 64 KiB literals; a flood of pre-login connections.
// Quiet and hostile windows alternate (--rounds, default 5, each T / rounds seconds), so both
// see the same background load of a shared machine.
// It reports the normal clients' command latency (p50, p99) quiet and hostile and their ratio,
// how long each hostile input took to be answered, and the server's own count of event-loop
// blocks over server.eventLoopBlockWarnMs, and the normal clients' p99 while each input was being
// sent. The server runs in a child process (as in bench/imap.ts) and so does the attacker, so
// neither shares an event loop with the normal clients.
//
//   npm run bench:hostile
//   npm run bench:hostile -- --clients 20 --seconds 10 --flood 500 --literals 800
//
// Bounded: each phase runs T seconds; a hostile input still unanswered after --attack-timeout
// seconds (default 30) is given up (its connection closed) and reported as such; the whole run
// is stopped after --max-seconds (default 600) even if the server is stuck.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:https";
import { connect as netConnect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { startApp } from "../src/app/start.js";
import { hashPassword } from "../src/auth/password.js";
import { defaultConfig } from "../src/config/load.js";
import { silentLogger } from "../src/log/logger.js";
import { guardProcess } from "../src/server/process-guard.js";
import { LocalNotifier } from "../src/store/notifier.js";
import { openSqliteStore } from "../src/store/sqlite/index.js";
import { benchArgs } from "./args.js";

const { values: opt } = benchArgs(
  import.meta.url,
  {
    options: {
      clients: { type: "string", default: "20" },
      rounds: { type: "string", default: "5" }, // quiet and hostile windows, alternating
      seconds: { type: "string", default: "10" },
      flood: { type: "string", default: "500" }, // pre-login connections opened by the flood
      literals: { type: "string", default: "800" }, // 64 KiB literals in the pre-login command
      "attack-timeout": { type: "string", default: "30" },
      "max-seconds": { type: "string", default: "600" },
      "serve-child": { type: "string" }, // internal: run the server in this process
      "attack-child": { type: "string" }, // internal: run the attacker in this process
    },
  },
  ["serve-child", "attack-child"],
);

const CLIENTS = Math.max(1, Number(opt.clients));
const PHASE_MS = Number(opt.seconds) * 1000;
const ROUNDS = Math.max(1, Number(opt.rounds));
const ATTACK_MS = Number(opt["attack-timeout"]) * 1000;
const PASSWORD = "bench password";
const HOSTILE = "hostile@example.test";
const NORMAL_MESSAGES = 50;
// Loopback addresses: the normal clients from 127.0.0.1, the attacker from .2, its flood from .3,
// so per-address connection limits see them as the different clients they would be.
const ATTACKER_IP = "127.0.0.2";
const FLOOD_IP = "127.0.0.3";

// ---------------------------------------------------------------- server

async function serveChild(dataDir: string): Promise<void> {
  const config = defaultConfig();
  config.server.dataDir = dataDir;
  config.server.hostname = "localhost";
  config.imap.allowPlaintextAuth = true;
  config.imap.maxConnections = 5000;
  config.auth.throttleMaxFailures = 100000;
  config.outbound.enabled = false;
  config.listeners = [
    { protocol: "imap", address: "127.0.0.1", port: 0, tls: "none" },
    { protocol: "http", address: "127.0.0.1", port: 0, tls: "implicit" },
  ];
  // Listeners bound to 127.0.0.1 accept clients from any 127.x address (Linux loopback).
  const app = await startApp(config, { log: silentLogger });
  guardProcess(silentLogger, app.ctx.health); // as `yubin serve` does: counted, not fatal
  process.on("SIGTERM", () => {
    void app.stop().then(() => process.exit(0));
  });
  process.on("SIGUSR2", () => {
    const m = process.memoryUsage();
    process.stdout.write(`HEALTH ${JSON.stringify({ ...app.ctx.health, rss: m.rss })}\n`);
  });
  const port = (p: string) => app.listeners.find((l) => l.listener.protocol === p)!.port;
  process.stdout.write(`${JSON.stringify({ imap: port("imap"), https: port("http") })}\n`);
}

function normalMessage(i: number): Buffer {
  return Buffer.from(
    `From: Sender ${i % 7} <sender${i % 7}@example.org>\r\nTo: someone@example.test\r\n` +
      `Subject: message ${i}\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: <m${i}@example.org>\r\n\r\n` +
      `Hello ${i}\r\n`.repeat(20),
  );
}

/** The stored hostile messages of the issue (items 2 and 3). */
function hostileMessages(): Buffer[] {
  const head = (extra: string) =>
    `From: <x@elsewhere.example>\r\nTo: ${HOSTILE}\r\nMessage-ID: <${Math.random()}@elsewhere.example>\r\n${extra}`;
  const k = 288_000 / 6;
  return [
    Buffer.from(
      `${head("Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n")}Subject: ${"[fwd:".repeat(k)} x ${"]".repeat(k)}\r\n\r\nhi\r\n`,
    ),
    Buffer.from(
      `${head("Date: Mon, 1 Jan 2024 00:00:00 +0000\r\nSubject: lt\r\nContent-Type: text/html\r\n")}\r\n${"<".repeat(160_000)}\r\n`,
    ),
    Buffer.from(
      `${head("Date: Mon, 1 Jan 2024 00:00:00 +0000\r\nSubject: style\r\nContent-Type: text/html\r\n")}\r\n${"<style>".repeat(160_000 / 7)}\r\n`,
    ),
    Buffer.from(`${head(`Date: ${"(".repeat(160_000)}\r\nSubject: date\r\n`)}\r\nhi\r\n`),
  ];
}

async function populate(dataDir: string): Promise<void> {
  const store = await openSqliteStore({ dataDir, notifier: new LocalNotifier(), log: silentLogger });
  await store.directory.addDomain("example.test");
  const hash = await hashPassword(PASSWORD);
  for (let c = 1; c <= CLIENTS; c++) {
    const a = await store.directory.createAccount({ address: `normal${c}@example.test`, passwordHash: hash });
    const inbox = (await store.mail.getMailbox(a.id, "INBOX"))!;
    await Promise.all(
      Array.from({ length: NORMAL_MESSAGES }, (_, i) =>
        store.mail.deliver(normalMessage(i), [{ accountId: a.id, mailboxId: inbox.id, flags: [] }]),
      ),
    );
  }
  const h = await store.directory.createAccount({ address: HOSTILE, passwordHash: hash });
  await store.mail.createMailbox(h.id, "Archive/2024");
  await store.mail.createMailbox(h.id, `${"a".repeat(59)}c`);
  const inbox = (await store.mail.getMailbox(h.id, "INBOX"))!;
  for (const m of hostileMessages())
    await store.mail.deliver(m, [{ accountId: h.id, mailboxId: inbox.id, flags: [] }]);
  await store.close();
}

interface Health {
  uncaughtErrors: number;
  loopBlocks: number;
  longestBlockMs: number;
  rss: number;
}

async function startServer() {
  const dataDir = await mkdtemp(join(tmpdir(), "yubin-bench-hostile-"));
  await populate(dataDir);
  const child = spawn(
    process.execPath,
    ["--import", "tsx", new URL(import.meta.url).pathname, "--serve-child", dataDir],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let healthWaiter: ((h: Health) => void) | null = null;
  const ports = await new Promise<{ imap: number; https: number }>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      for (let nl = out.indexOf("\n"); nl >= 0; nl = out.indexOf("\n")) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (line.startsWith("HEALTH ")) {
          healthWaiter?.(JSON.parse(line.slice(7)) as Health);
          healthWaiter = null;
        } else if (line.startsWith("{")) resolve(JSON.parse(line) as { imap: number; https: number });
      }
    });
    child.on("exit", (code, signal) => reject(new Error(`server exited with ${signal ?? code}`)));
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    ...ports,
    alive,
    /** The server's health counters, or null when it does not answer within 60 s (stuck). */
    health(): Promise<Health | null> {
      if (!alive()) return Promise.resolve(null);
      return new Promise((resolve) => {
        const t = setTimeout(() => {
          healthWaiter = null;
          resolve(null);
        }, 60_000);
        healthWaiter = (h) => {
          clearTimeout(t);
          resolve(h);
        };
        child.kill("SIGUSR2");
      });
    },
    async stop() {
      if (alive()) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- IMAP client

class Imap {
  private buf = "";
  private wake: (() => void) | null = null;
  closed = false;
  private seq = 0;
  private constructor(readonly sock: Socket) {
    sock.setNoDelay(true);
    sock.setEncoding("latin1");
    sock.on("data", (d: string) => {
      this.buf += d;
      this.wake?.();
    });
    sock.on("close", () => {
      this.closed = true;
      this.wake?.();
    });
    sock.on("error", () => {});
  }

  static open(port: number, localAddress?: string): Promise<Imap> {
    return new Promise((resolve, reject) => {
      const s = netConnect({ host: "127.0.0.1", port, localAddress }, () => resolve(new Imap(s)));
      s.once("error", reject);
    });
  }

  /** One response line; literals are skipped over by length. Rejects after `ms`. */
  async line(ms: number): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const nl = this.buf.indexOf("\r\n");
      if (nl >= 0) {
        const text = this.buf.slice(0, nl);
        const lit = text.endsWith("}") ? /\{(\d+)\}$/.exec(text) : null;
        const n = lit ? Number(lit[1]) : 0;
        if (this.buf.length >= nl + 2 + n) {
          this.buf = this.buf.slice(nl + 2 + n);
          return text;
        }
      }
      if (this.closed) throw new Error("connection closed");
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("timeout");
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.wake = () => {
          this.wake = null;
          clearTimeout(t);
          r();
        };
      });
    }
  }

  /** Sends a command and waits for its tagged reply (returned). */
  async cmd(text: string, ms = 60_000): Promise<string> {
    const tag = `t${++this.seq}`;
    this.sock.write(`${tag} ${text}\r\n`);
    for (;;) {
      const l = await this.line(ms);
      if (l.startsWith(`${tag} `)) return l;
    }
  }

  async login(user: string): Promise<void> {
    const g = await this.line(30_000);
    if (!g.startsWith("* OK")) throw new Error(`greeting: ${g}`);
    const r = await this.cmd(`LOGIN "${user}" "${PASSWORD}"`);
    if (!/^t\d+ OK/.test(r)) throw new Error(`login ${user}: ${r}`);
  }

  close(): void {
    this.sock.destroy();
  }
}

// ---------------------------------------------------------------- normal clients

const NORMAL_COMMANDS = ["SELECT INBOX", "FETCH 1:10 (FLAGS ENVELOPE)", "SEARCH FROM sender3", "NOOP"];

/** One normal client's loop until `until`, on a connection already logged in. */
/** The hostile input being sent now (null: none), and the normal clients' latencies of the
 *  commands that ended while each was sent: which input costs the others what. */
const during: { attack: string | null; latencies: Map<string, number[]> } = {
  attack: null,
  latencies: new Map(),
};

async function normalLoop(c: Imap, until: number, latencies: number[]): Promise<void> {
  for (let i = 0; Date.now() < until && i < 1_000_000; i++) {
    const text = NORMAL_COMMANDS[i % NORMAL_COMMANDS.length]!;
    const t0 = performance.now();
    const r = await c.cmd(text, 600_000);
    const took = performance.now() - t0;
    latencies.push(took);
    if (during.attack !== null) {
      const list = during.latencies.get(during.attack) ?? [];
      list.push(took);
      during.latencies.set(during.attack, list);
    }
    if (!/^t\d+ OK/.test(r)) throw new Error(`${text}: ${r}`);
  }
}

// ---------------------------------------------------------------- hostile inputs

interface AttackResult {
  ms: number;
  outcome: string;
}

type Attack = { name: string; run(ports: { imap: number; https: number }): Promise<string> };

async function loggedIn(port: number): Promise<Imap> {
  const c = await Imap.open(port, ATTACKER_IP);
  await c.login(HOSTILE);
  return c;
}

async function imapAttack(port: number, commands: string[]): Promise<string> {
  const c = await loggedIn(port);
  try {
    let last = "";
    for (const cmd of commands) last = await c.cmd(cmd, ATTACK_MS);
    return last.replace(/^t\d+ /, "").slice(0, 60);
  } finally {
    c.close();
  }
}

function jmap(httpsPort: number, method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> {
  const auth = Buffer.from(`${HOSTILE}:${PASSWORD}`).toString("base64");
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: httpsPort,
        method,
        path,
        localAddress: ATTACKER_IP,
        rejectUnauthorized: false, // the server's self-signed certificate: the bench measures only
        headers: { authorization: `Basic ${auth}`, "content-type": "application/json" },
        timeout: ATTACK_MS,
      },
      (res) => {
        let data = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          data += d;
        });
        res.on("end", () => {
          if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}: ${data.slice(0, 80)}`));
          else resolve(JSON.parse(data));
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function jmapPreviews(httpsPort: number): Promise<string> {
  const session = (await jmap(httpsPort, "GET", "/.well-known/jmap")) as {
    primaryAccounts: Record<string, string>;
  };
  const accountId = session.primaryAccounts["urn:ietf:params:jmap:mail"];
  const res = (await jmap(httpsPort, "POST", "/jmap/api", {
    using: ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"],
    methodCalls: [
      ["Email/query", { accountId, limit: 50 }, "q"],
      [
        "Email/get",
        {
          accountId,
          "#ids": { resultOf: "q", name: "Email/query", path: "/ids" },
          properties: ["preview", "sentAt", "subject"],
        },
        "g",
      ],
    ],
  })) as { methodResponses: [string, { list?: unknown[] }, string][] };
  const got = res.methodResponses.find((r) => r[0] === "Email/get");
  return got ? `Email/get: ${got[1].list?.length ?? 0} emails` : JSON.stringify(res).slice(0, 60);
}

/** One command made of up to --literals 64 KiB LITERAL+ literals, before login. */
async function preAuthLiterals(port: number): Promise<string> {
  const c = await Imap.open(port, ATTACKER_IP);
  const chunk = Buffer.alloc(65536, 0x78);
  const next = Buffer.from(" {65536+}\r\n");
  try {
    await c.line(30_000);
    c.sock.write("a LOGIN {65536+}\r\n");
    let sent = 0;
    const count = Number(opt.literals);
    for (; sent < count && !c.closed; sent++) {
      const ok = c.sock.write(chunk) && c.sock.write(next);
      if (!ok) {
        const drained = await Promise.race([
          new Promise<boolean>((r) => c.sock.once("drain", () => r(true))),
          new Promise<boolean>((r) => c.sock.once("close", () => r(false))),
          new Promise<boolean>((r) => setTimeout(() => r(false), ATTACK_MS).unref()),
        ]);
        if (!drained) break;
      }
    }
    if (!c.closed) c.sock.write("\r\n");
    const reply = await c.line(5_000).catch((e: Error) => e.message);
    return `${sent} literals sent (${((sent * 65536) / 1048576).toFixed(0)} MiB); server: ${reply.slice(0, 50)}`;
  } finally {
    c.close();
  }
}

/** --flood connections that never log in, opened 50 at a time, held 2 s. */
async function flood(port: number): Promise<string> {
  const total = Number(opt.flood);
  const socks: Socket[] = [];
  let greeted = 0;
  try {
    for (let i = 0; i < total; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, total - i) }, () =>
          Imap.open(port, FLOOD_IP).then(
            async (c) => {
              socks.push(c.sock);
              const g = await c.line(5_000).catch(() => "");
              if (g.startsWith("* OK")) {
                greeted++;
                c.sock.write("a NOOP\r\n");
              }
            },
            () => {},
          ),
        ),
      );
      void batch;
    }
    await new Promise((r) => setTimeout(r, 2000));
    return `${greeted} of ${total} pre-login connections greeted`;
  } finally {
    for (const s of socks) s.destroy();
  }
}

const attacks: Attack[] = [
  { name: 'LIST "" "%" x 60', run: (p) => imapAttack(p.imap, [`LIST "" "${"%".repeat(60)}"`]) },
  { name: 'LIST "" "*a*a*a*a*a*a*a*a*b"', run: (p) => imapAttack(p.imap, ['LIST "" "*a*a*a*a*a*a*a*a*b"']) },
  {
    name: "SORT (SUBJECT), 288 KB [fwd: subject",
    run: (p) => imapAttack(p.imap, ["SELECT INBOX", "SORT (SUBJECT) UTF-8 ALL"]),
  },
  {
    name: "THREAD ORDEREDSUBJECT, same",
    run: (p) => imapAttack(p.imap, ["SELECT INBOX", "THREAD ORDEREDSUBJECT UTF-8 ALL"]),
  },
  { name: "JMAP Email/get preview+sentAt (<, <style>, Date ( )", run: (p) => jmapPreviews(p.https) },
  { name: "pre-login command of 64 KiB literals", run: (p) => preAuthLiterals(p.imap) },
  { name: "pre-login connection flood", run: (p) => flood(p.imap) },
];

/** Sends the hostile inputs in turn until `until`, going on from where the last window stopped. */
/** The attacker runs in a process of its own: sharing the bench's event loop, its 500 flood
 *  sockets delayed the normal clients' reads and counted against the server. Told "GO <epoch ms>"
 *  on stdin, it sends the hostile inputs in turn (going on from where it stopped) until then,
 *  reporting "START <name>" and "END <result>" for each, then "DONE". */
async function attackChild(spec: string): Promise<void> {
  const [imap, https] = spec.split(",").map(Number);
  const ports = { imap: imap!, https: https! };
  let next = 0;
  for await (const line of createInterface({ input: process.stdin })) {
    const go = /^GO (\d+)$/.exec(line);
    if (!go) continue;
    const until = Number(go[1]);
    for (let i = 0; Date.now() < until && i < 10_000; i++) {
      const a = attacks[next++ % attacks.length]!;
      process.stdout.write(`START ${JSON.stringify(a.name)}\n`);
      const t0 = performance.now();
      const outcome = await a.run(ports).catch((e: Error) => `failed: ${e.message}`);
      process.stdout.write(`END ${JSON.stringify({ name: a.name, ms: performance.now() - t0, outcome })}\n`);
    }
    process.stdout.write("DONE\n");
  }
}

function startAttacker(ports: { imap: number; https: number }) {
  const args = [
    "--import",
    "tsx",
    new URL(import.meta.url).pathname,
    "--attack-child",
    `${ports.imap},${ports.https}`,
  ];
  for (const k of ["flood", "literals", "attack-timeout"] as const) args.push(`--${k}`, String(opt[k]));
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "inherit"] });
  const results = new Map<string, AttackResult[]>();
  let done: (() => void) | null = null;
  createInterface({ input: child.stdout }).on("line", (line) => {
    if (line.startsWith("START ")) during.attack = JSON.parse(line.slice(6)) as string;
    else if (line.startsWith("END ")) {
      during.attack = null;
      const r = JSON.parse(line.slice(4)) as { name: string; ms: number; outcome: string };
      const list = results.get(r.name) ?? [];
      list.push({ ms: r.ms, outcome: r.outcome });
      results.set(r.name, list);
    } else if (line === "DONE") done?.();
  });
  return {
    results,
    /** Attacks until `until` (epoch ms); resolves when the one running then has ended. */
    run(until: number): Promise<void> {
      return new Promise((resolve) => {
        done = resolve;
        child.stdin.write(`GO ${until}\n`);
      });
    },
    stop(): void {
      child.kill();
    },
  };
}

// ---------------------------------------------------------------- phases

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Window {
  latencies: number[];
  blocks: number;
}

/** One window of `durationMs`: the normal clients' loop, with the attacker too when `hostile`. */
async function window(
  server: Awaited<ReturnType<typeof startServer>>,
  clients: Imap[],
  durationMs: number,
  attacker: ReturnType<typeof startAttacker> | null,
): Promise<Window> {
  const before = await server.health();
  const latencies: number[] = [];
  const until = Date.now() + durationMs;
  await Promise.all([attacker?.run(until), ...clients.map((c) => normalLoop(c, until, latencies))]);
  const after = await server.health();
  return { latencies, blocks: (after?.loopBlocks ?? Number.NaN) - (before?.loopBlocks ?? 0) };
}

interface PhaseResult {
  commands: number;
  p50: number;
  p99: number;
  max: number;
  blocks: number;
}

function summary(windows: Window[]): PhaseResult {
  const all = windows.flatMap((w) => w.latencies).sort((a, b) => a - b);
  return {
    commands: all.length,
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    max: all.at(-1) ?? Number.NaN,
    blocks: windows.reduce((n, w) => n + w.blocks, 0),
  };
}

const ms = (x: number) => `${x.toFixed(1)} ms`;

async function main(): Promise<void> {
  if (opt["serve-child"]) return serveChild(opt["serve-child"]);
  if (opt["attack-child"]) return attackChild(opt["attack-child"]);
  const server = await startServer();
  const stopAll = setTimeout(() => {
    console.log(`stopped after --max-seconds ${opt["max-seconds"]}: the server did not keep up`);
    void server.stop().then(() => process.exit(2));
  }, Number(opt["max-seconds"]) * 1000);
  stopAll.unref();
  try {
    console.log(`${CLIENTS} normal IMAP clients, ${PHASE_MS / 1000} s per phase`);
    // Logged in once, before any timing (the logins' password hashing is not what is measured),
    // then a short untimed warm-up so that neither phase pays for the first reads of each INBOX.
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, i) => {
        const c = await Imap.open(server.imap);
        await c.login(`normal${i + 1}@example.test`);
        return c;
      }),
    );
    await window(server, clients, Math.min(PHASE_MS, 3000), null);
    // Quiet and hostile windows alternate, so that both see the same background load of a shared
    // machine (other processes come and go within seconds; two long phases in a row did not).
    const quietWindows: Window[] = [];
    const hostileWindows: Window[] = [];
    const attacker = startAttacker({ imap: server.imap, https: server.https });
    for (let r = 0; r < ROUNDS; r++) {
      quietWindows.push(await window(server, clients, PHASE_MS / ROUNDS, null));
      hostileWindows.push(await window(server, clients, PHASE_MS / ROUNDS, attacker));
    }
    attacker.stop();
    const quiet = summary(quietWindows);
    const hostile = { ...summary(hostileWindows), attacks: attacker.results };
    for (const c of clients) c.close();
    console.log("");
    console.log("phase     commands  p50        p99        max        event-loop blocks");
    for (const [name, r] of [
      ["quiet", quiet],
      ["hostile", hostile],
    ] as const)
      console.log(
        `${name.padEnd(9)} ${String(r.commands).padStart(8)}  ${ms(r.p50).padEnd(10)} ${ms(r.p99).padEnd(10)} ${ms(r.max).padEnd(10)} ${r.blocks}`,
      );
    console.log(
      `hostile / quiet: p50 ${(hostile.p50 / quiet.p50).toFixed(2)}x, p99 ${(hostile.p99 / quiet.p99).toFixed(2)}x`,
    );
    console.log("");
    console.log(
      "hostile input                                         runs  slowest    others' p99 meanwhile  last outcome",
    );
    for (const [name, runs] of hostile.attacks) {
      const slowest = Math.max(...runs.map((r) => r.ms));
      const others = (during.latencies.get(name) ?? []).sort((a, b) => a - b);
      console.log(
        `${name.padEnd(53)} ${String(runs.length).padStart(4)}  ${ms(slowest).padEnd(10)} ${ms(percentile(others, 99)).padEnd(22)} ${runs.at(-1)!.outcome}`,
      );
    }
    const h = await server.health();
    console.log("");
    console.log(
      h
        ? `server alive; uncaught errors survived: ${h.uncaughtErrors}; longest event-loop block since start ${h.longestBlockMs} ms; RSS ${(h.rss / 1048576).toFixed(0)} MiB`
        : `server ${server.alive() ? "not answering" : "DEAD"}`,
    );
    console.log(
      JSON.stringify({
        quiet,
        hostile: { ...hostile, attacks: Object.fromEntries(hostile.attacks) },
        ratioP50: hostile.p50 / quiet.p50,
        ratioP99: hostile.p99 / quiet.p99,
      }),
    );
  } finally {
    clearTimeout(stopAll);
    await server.stop();
  }
}

await main();
