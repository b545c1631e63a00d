// IMAP benchmark, against Yubin's own server (started here, in a child process) or any IMAP server
// given host and port, so the same figures can be taken from Dovecot on the same machine:
//   (1) one mailbox of N messages (default 100,000): SELECT (first and again),
//       UID FETCH 1:* (UID FLAGS) (first and again), SEARCH FROM x, UID FETCH n BODY[] for random n;
//   (2) C clients (default 20), each in its own mailbox, doing a mixed load of SELECT, FETCH,
//       STORE, APPEND, EXPUNGE and IDLE for T seconds: operations (commands) per second;
//       Also the server's CPU time per operation (/proc/PID/stat), read before the clients log out.
//   (3) K idle connections (default 10,000), each logged in, a small INBOX selected, in IDLE:
//       server memory per connection (RSS delta / K, from /proc/PID/status), after one untimed
//       login per user; own server: also its V8 heap delta after a full GC (--expose-gc).
//   (4) APPEND latency, one client, --appends messages (default 200) into mailbox "lit": with a
//       synchronizing literal sent as Python's imaplib sends it ({n}, wait for "+", then the
//       literal and the closing CRLF in two writes, Nagle's algorithm on), median; and the same
//       APPEND with literal and CRLF in one write, for reference (issue 20: the two writes cost
//       a delayed ACK, 40 ms, until the server acknowledged partial commands at once).
//
//   npm run bench:imap                                   # own server, all three phases
//   npm run bench:imap -- --messages 20000 --clients 20 --seconds 20 --idle 2000 --phases 1,2,3
//   npm run bench:imap -- --phases 4 --messages 0 --appends 200   # APPEND latency only
//   npm run bench:imap -- --host 127.0.0.1 --port 143 --user 'bench{n}@example.test' --pass secret \
//                         --pid 1234 --pid-tree          # any IMAP server, e.g. Dovecot
//   npm run bench:imap -- --cheap-auth --phases 2 --seconds 10 --cpu-prof-dir /tmp/prof
//   npm run bench:imap -- --phases 2 --workers 2        # own server as `yubin serve --workers 2`
//   npm run bench:imap -- --phases 2 --backend postgres [--workers 2] [--postgres-url URL]
//                                                        # own server on a private, durable
//                                                        # PostgreSQL (or a fresh schema in URL's
//                                                        # database): bench/backend.ts; phase 2
//                                                        # also reports PostgreSQL's CPU per op
//   npm run bench:imap -- --phases 3 --idle 3000 --heap-snapshot-dir /tmp/heap   # what a connection holds
//   npm run bench:imap -- --phases 3 --idle 3000 --tls --cheap-auth   # idle connections over TLS (993)
//                                                        # own server, V8 CPU profile of it
//   npm run bench:imap -- --write-maildirs DIR --messages 100000 --clients 20
//                                                        # only write DIR/bench{n}/Maildir; exit
// Users are bench1..benchC ("{n}" in --user); bench1's INBOX holds the N messages of phase 1, the
// others are empty. Phase 2 works in a mailbox "mix" of each user (created if missing). Phase 3
// logs in as bench2..benchC in turn. LOGIN is sent in plaintext: loopback only.
// --pid-tree sums the memory of the process and all its descendants (Dovecot: master, imap,
// imap-login, auth...). Besides RSS it reports PSS (shared pages divided among their users), since
// summing RSS over many processes counts every shared library page once per process.
// Open files: phase 3 needs one descriptor per connection on each side; the count is capped at
// the soft RLIMIT_NOFILE less a margin (raise it with `ulimit -n` before running; the compare
// script raises it to the hard limit).
import { spawn } from "node:child_process";
import { appendFileSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { connect as netConnect, type Socket } from "node:net";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { writeHeapSnapshot } from "node:v8";
import { type App, type AppDeps, startApp } from "../src/app/start.js";
import { hashPassword } from "../src/auth/password.js";
import type { AuthResult } from "../src/auth/types.js";
import { defaultConfig } from "../src/config/load.js";
import type { Config } from "../src/config/schema.js";
import { silentLogger } from "../src/log/logger.js";
import { benchArgs } from "./args.js";
import { applyStorage, type BenchBackend, backendArgs, onSignals, startOwnOn } from "./backend.js";
import { serveBench } from "./workers.js";

const { values: opt } = benchArgs(
  import.meta.url,
  {
    options: {
      host: { type: "string" },
      port: { type: "string" },
      user: { type: "string", default: "bench{n}@example.test" },
      pass: { type: "string" },
      pid: { type: "string" },
      "pid-tree": { type: "boolean", default: false },
      messages: { type: "string", default: "100000" },
      fetches: { type: "string", default: "200" }, // random UID FETCH n BODY[] in phase 1
      clients: { type: "string", default: "20" },
      seconds: { type: "string", default: "20" },
      idle: { type: "string", default: "10000" },
      batch: { type: "string", default: "100" }, // idle connections opened at once
      phases: { type: "string", default: "1,2,3,4" },
      appends: { type: "string", default: "200" }, // phase 4: APPENDs of each kind
      settle: { type: "string", default: "3" }, // seconds between opening the last idle connection and measuring
      // Own server: answer repeated logins with the same user and password from memory, skipping
      // the ~30 ms argon2id check (10,000 logins would otherwise take minutes of CPU). Bench only;
      // the compare script gives Dovecot {PLAIN} passwords to match.
      "cheap-auth": { type: "boolean", default: false },
      // Own server: worker processes (bench/workers.ts); CPU and memory then count all of them.
      workers: { type: "string", default: "1" },
      ...backendArgs,
      "serve-child": { type: "string" }, // internal: run the server in this process
      "write-maildirs": { type: "string" },
      "cpu-prof-dir": { type: "string" }, // own server: write a V8 CPU profile of it into this dir
      // phase 2: append "<epoch ms> <operations so far>" to this file every 100 ms, so a profile
      // taken over part of the run (perf record -p) can be divided by the operations in its window
      "progress-file": { type: "string" },
      // own server: a V8 heap snapshot at each memory reading (compare the last two of phase 3)
      "heap-snapshot-dir": { type: "string" },
      // implicit TLS (port-993 style) for every connection; the own server then listens with TLS
      tls: { type: "boolean", default: false },
    },
  },
  ["serve-child", "serve-postgres-url"],
);

const PASSWORD = "bench password";
const N = Number(opt.messages);
const CLIENTS = Math.max(1, Number(opt.clients));
const WAIT_MS = 300_000; // bound on any one reply (a cold SELECT of 100,000 maildir files is slow)
const FD_MARGIN = 200;

function userName(n: number): string {
  return opt.user.replaceAll("{n}", String(n));
}

function msg(i: number): Buffer {
  return Buffer.from(
    `From: Sender ${i % 97} <s${i % 97}@example.test>\r\nTo: bench1@example.test\r\nSubject: Message number ${i}\r\n` +
      `Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <${i}@bench>\r\n\r\nBody of message ${i}.\r\n${"lorem ipsum ".repeat(20)}\r\n`,
  );
}
const seen = (i: number) => i % 3 !== 0;

// ---------------------------------------------------------------- own server

async function serveChild(dataDir: string, maxConnections: number): Promise<void> {
  const config = defaultConfig();
  config.server.dataDir = dataDir;
  config.server.hostname = "localhost";
  applyStorage(config, opt["serve-postgres-url"]);
  config.imap.allowPlaintextAuth = true;
  config.imap.maxConnections = maxConnections;
  // Thousands of idle connections (phase 3) all come from 127.0.0.1: the per-IP and per-user
  // caps would refuse them, and what is measured here is memory, not the caps.
  config.server.connectionLimitExemptIps = ["127.0.0.1"];
  // Every client comes from 127.0.0.1: logins still being checked count against the throttle.
  config.auth.throttleMaxFailures = 100000;
  config.listeners = [
    { protocol: "imap", address: "127.0.0.1", port: 0, tls: opt.tls ? "implicit" : "none" },
  ];
  await serveBench({
    workers: Number(opt.workers),
    start: (deps) => startOne(config, deps),
    announce: (port) => process.stdout.write(`${JSON.stringify({ port })}\n`),
  });
}

async function startOne(config: Config, deps: AppDeps): Promise<App> {
  const app = await startApp(config, { log: silentLogger, ...deps });
  if (opt["cheap-auth"]) {
    const real = app.ctx.auth;
    const verified = new Map<string, AuthResult>();
    app.ctx.auth = {
      ...real,
      async authenticate(attempt) {
        const key = `${attempt.username}\0${attempt.password}`;
        const hit = verified.get(key);
        if (hit) return hit;
        const result = await real.authenticate(attempt);
        if (result.ok) verified.set(key, result);
        return result;
      },
    };
  }
  // The bench asks for a full collection before each memory reading, so garbage left by earlier
  // phases or by the logins themselves is not counted as memory held by idle connections.
  // It then reports the process's own view (V8 heap, external memory, RSS) on stdout, so the
  // bench can tell what the connections hold from what the heap merely reserved.
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on("SIGUSR2", () => {
    gc?.();
    gc?.();
    const m = process.memoryUsage();
    if (opt["heap-snapshot-dir"])
      writeHeapSnapshot(join(opt["heap-snapshot-dir"], `${Date.now()}.heapsnapshot`));
    process.stdout.write(
      `MEM ${JSON.stringify({ heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss })}\n`,
    );
  });
  // serveBench announces the port last: the bench may signal as soon as it reads that line, and
  // SIGUSR2 unhandled would kill us.
  return app;
}

async function startOwnServer(maxConnections: number) {
  return startOwnOn(
    "yubin-bench-imap-",
    { backend: opt.backend, postgresUrl: opt["postgres-url"] },
    (backend, dataDir) => startOn(backend, dataDir, maxConnections),
  );
}

/** Fills the store, then starts the server child on it. */
async function startOn(backend: BenchBackend, dataDir: string, maxConnections: number) {
  const t0 = Date.now();
  const store = await backend.open();
  await store.directory.addDomain("example.test");
  const hash = await hashPassword(PASSWORD);
  const ids: number[] = [];
  for (let b = 1; b <= CLIENTS; b++)
    ids.push(
      (await store.directory.createAccount({ address: `bench${b}@example.test`, passwordHash: hash })).id,
    );
  const inbox = (await store.mail.getMailbox(ids[0]!, "INBOX"))!;
  for (let i = 0; i < N; i += 500) {
    const jobs: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(N, i + 500); j++)
      jobs.push(
        store.mail.deliver(msg(j), [
          { accountId: ids[0]!, mailboxId: inbox.id, flags: seen(j) ? ["\\Seen"] : [] },
        ]),
      );
    await Promise.all(jobs);
  }
  await store.close();
  console.log(`populated bench1 INBOX with ${N} messages in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const prof = opt["cpu-prof-dir"] ? ["--cpu-prof", "--cpu-prof-dir", opt["cpu-prof-dir"]] : [];
  const args = [
    ...prof,
    "--expose-gc",
    "--import",
    new URL("../scripts/ts-loader/register.mjs", import.meta.url).href,
    new URL(import.meta.url).pathname,
    "--serve-child",
    dataDir,
  ];
  args.push("--idle", String(maxConnections));
  if (opt["cheap-auth"]) args.push("--cheap-auth");
  if (opt["heap-snapshot-dir"]) args.push("--heap-snapshot-dir", opt["heap-snapshot-dir"]);
  if (opt.tls) args.push("--tls");
  args.push("--workers", opt.workers, ...backend.childArgs());
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  // Interrupted before it announced its port (its stop() not yet registered): not left behind.
  const offStarting = onSignals(async () => void child.kill("SIGKILL"));
  let memWaiter: ((m: HeapMem) => void) | null = null;
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      for (let nl = out.indexOf("\n"); nl >= 0; nl = out.indexOf("\n")) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (line.startsWith("MEM ")) {
          memWaiter?.(JSON.parse(line.slice(4)) as HeapMem);
          memWaiter = null;
        } else if (line.startsWith("{")) resolve((JSON.parse(line) as { port: number }).port);
      }
    });
    child.on("exit", (code, signal) => {
      const why = `server exited with ${signal ?? code}`;
      console.log(`  ${why}`);
      reject(new Error(why));
    });
  });
  offStarting();
  const exitedAlready = () => child.exitCode !== null || child.signalCode !== null;
  return {
    port,
    pid: child.pid!,
    /** Full GC in the server, then its own memory figures (null if it does not answer in 10 s). */
    collect(): Promise<HeapMem | null> {
      // Several workers: each has its own heap (the supervisor has no SIGUSR2 handler).
      if (exitedAlready() || Number(opt.workers) > 1) return Promise.resolve(null);
      return new Promise((resolve) => {
        const t = setTimeout(() => {
          memWaiter = null;
          resolve(null);
        }, 10_000);
        memWaiter = (m) => {
          clearTimeout(t);
          resolve(m);
        };
        child.kill("SIGUSR2");
      });
    },
    async stop() {
      if (!exitedAlready()) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** DIR/bench{n}/Maildir for n = 1..C, bench1 holding the N messages, as an LDA would have written
 *  them (LF on disk, S= and W= sizes in the name, :2,S for \Seen). */
async function writeMaildirs(dir: string): Promise<void> {
  const t0 = Date.now();
  for (let b = 1; b <= CLIENTS; b++) {
    const md = join(dir, `bench${b}`, "Maildir");
    for (const sub of ["cur", "new", "tmp"]) await mkdir(join(md, sub), { recursive: true });
    if (b !== 1) continue;
    for (let i = 0; i < N; i += 500) {
      const jobs: Promise<void>[] = [];
      for (let j = i; j < Math.min(N, i + 500); j++) {
        const crlf = msg(j);
        const lf = Buffer.from(crlf.toString("latin1").replaceAll("\r\n", "\n"), "latin1");
        const name = `${1700000000 + j}.M${j}P1.bench,S=${lf.length},W=${crlf.length}:2,${seen(j) ? "S" : ""}`;
        jobs.push(writeFile(join(md, "cur", name), lf));
      }
      await Promise.all(jobs);
    }
  }
  console.log(
    `wrote ${CLIENTS} maildirs (bench1: ${N} messages) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
}

// ---------------------------------------------------------------- client

interface Reply {
  status: string; // the tagged line
  untagged: number;
  exists: number | null;
  expunged: number;
}

/** A lean IMAP client: one command at a time, literals in responses skipped over. */
class Imap {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private wake: (() => void) | null = null;
  private closed = false;
  private seq = 0;
  private constructor(
    private readonly sock: Socket,
    nagle: boolean,
  ) {
    sock.setNoDelay(!nagle);
    sock.on("data", (d: Buffer) => {
      // Unread bytes are this.buf from this.pos on: a line read moves pos, copying nothing.
      this.buf = this.pos >= this.buf.length ? d : Buffer.concat([this.buf.subarray(this.pos), d]);
      this.pos = 0;
      this.wake?.();
    });
    sock.on("close", () => {
      this.closed = true;
      this.wake?.();
    });
    sock.on("error", () => {});
  }

  /** `nagle`: leave Nagle's algorithm on, as most clients do (Python's imaplib, phase 4). */
  static open(host: string, port: number, nagle = false): Promise<Imap> {
    return new Promise((resolve, reject) => {
      // --tls: the own server's certificate is self-signed; the bench measures, it does not verify.
      const s: Socket = opt.tls
        ? tlsConnect({ host, port, rejectUnauthorized: false }, () => resolve(new Imap(s, nagle)))
        : netConnect({ host, port }, () => resolve(new Imap(s, nagle)));
      s.once("error", reject);
      s.setTimeout(WAIT_MS, () => s.destroy(new Error("socket timeout")));
    });
  }

  /** The next complete response line if one is buffered (a literal it announces is consumed and
   *  its octets counted, not kept); null if more data is needed. Synchronous, so a long response
   *  is read without a promise per line. */
  private take(): string | null {
    let head = "";
    let at = this.pos;
    for (;;) {
      const nl = this.buf.indexOf(0x0a, at);
      if (nl < 0) return null;
      const end = nl > at && this.buf[nl - 1] === 0x0d ? nl - 1 : nl;
      const text = this.buf.toString("latin1", at, end);
      // Only a line ending in "}" can announce a literal.
      const m = text.endsWith("}") ? /~?\{(\d+)\}$/.exec(text) : null;
      if (!m) {
        this.pos = nl + 1;
        return head + text;
      }
      const n = Number(m[1]);
      if (this.buf.length < nl + 1 + n) return null;
      head += `${text}[${n} octets]`;
      at = nl + 1 + n;
    }
  }

  /** One response line, waiting for it if need be. */
  async line(): Promise<string> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const l = this.take();
      if (l !== null) return l;
      if (this.closed) throw new Error("connection closed");
      if (Date.now() > deadline) throw new Error("reply timeout");
      await new Promise<void>((r) => {
        const t = setTimeout(r, 1000);
        this.wake = () => {
          this.wake = null;
          clearTimeout(t);
          r();
        };
      });
    }
  }

  private async until(tag: string): Promise<Reply> {
    const r: Reply = { status: "", untagged: 0, exists: null, expunged: 0 };
    const done = `${tag} `;
    for (;;) {
      const l = this.take() ?? (await this.line());
      if (l.startsWith(done)) {
        r.status = l;
        return r;
      }
      r.untagged++;
      // "* n EXISTS" / "* n EXPUNGE": cheap tests first, FETCH lines are most of a big reply.
      if (!l.endsWith("S") && !l.endsWith("E")) continue;
      const m = /^\* (\d+) (EXISTS|EXPUNGE)$/.exec(l);
      if (m?.[2] === "EXISTS") r.exists = Number(m[1]);
      else if (m) r.expunged++;
    }
  }

  async cmd(text: string, allowNo = false): Promise<Reply> {
    const tag = `t${++this.seq}`;
    this.sock.write(`${tag} ${text}\r\n`);
    const r = await this.until(tag);
    if (!r.status.startsWith(`${tag} OK`) && !(allowNo && r.status.startsWith(`${tag} NO`)))
      throw new Error(`${text.slice(0, 40)}: ${r.status}`);
    return r;
  }

  private async continuation(): Promise<void> {
    for (;;) {
      const l = await this.line();
      if (l.startsWith("+")) return;
      if (!l.startsWith("*")) throw new Error(`expected continuation: ${l}`);
    }
  }

  /** APPEND with a synchronizing literal (every server has those). */
  async append(mailbox: string, message: Buffer): Promise<Reply> {
    const tag = `t${++this.seq}`;
    this.sock.write(`${tag} APPEND ${mailbox} {${message.length}}\r\n`);
    await this.continuation();
    this.sock.write(Buffer.concat([message, Buffer.from("\r\n")]));
    const r = await this.until(tag);
    if (!r.status.startsWith(`${tag} OK`)) throw new Error(`APPEND: ${r.status}`);
    return r;
  }

  /** APPEND as Python's imaplib sends it: after "+", the literal and its closing CRLF in two
   *  writes (with Nagle on, the CRLF waits until the server acknowledges the literal). */
  async appendSplit(mailbox: string, message: Buffer): Promise<Reply> {
    const tag = `t${++this.seq}`;
    this.sock.write(`${tag} APPEND ${mailbox} {${message.length}}\r\n`);
    await this.continuation();
    this.sock.write(message);
    this.sock.write("\r\n");
    const r = await this.until(tag);
    if (!r.status.startsWith(`${tag} OK`)) throw new Error(`APPEND: ${r.status}`);
    return r;
  }

  /** Enter IDLE; returns once the server says "+". */
  async idle(): Promise<string> {
    const tag = `t${++this.seq}`;
    this.sock.write(`${tag} IDLE\r\n`);
    await this.continuation();
    return tag;
  }

  async done(tag: string): Promise<Reply> {
    this.sock.write("DONE\r\n");
    const r = await this.until(tag);
    if (!r.status.startsWith(`${tag} OK`)) throw new Error(`IDLE: ${r.status}`);
    return r;
  }

  async greeting(): Promise<void> {
    const g = await this.line();
    if (!g.startsWith("* OK")) throw new Error(`greeting: ${g}`);
  }

  async login(user: string, pass: string): Promise<void> {
    const q = (s: string) => `"${s.replace(/["\\]/g, "\\$&")}"`;
    await this.cmd(`LOGIN ${q(user)} ${q(pass)}`);
  }

  close(): void {
    this.sock.destroy();
  }
}

// ---------------------------------------------------------------- memory

function status(pid: number, field: string): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : 0;
}

function pss(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** pid and, with --pid-tree, all its descendants (found through /proc/N/stat's ppid). */
function processTree(root: number): number[] {
  if (!opt["pid-tree"] && Number(opt.workers) <= 1) return [root];
  const children = new Map<number, number[]>();
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(e));
      children.set(ppid, list);
    } catch {} // gone meanwhile
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0 && out.length < 1_000_000) {
    const p = todo.pop()!;
    out.push(p);
    todo.push(...(children.get(p) ?? []));
  }
  return out;
}

/** process.memoryUsage() of the own server after a full GC, in bytes. */
interface HeapMem {
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  rss: number;
}

interface Mem {
  processes: number;
  rssKiB: number;
  pssKiB: number;
}

function memory(pid: number): Mem {
  const m: Mem = { processes: 0, rssKiB: 0, pssKiB: 0 };
  for (const p of processTree(pid)) {
    try {
      m.rssKiB += status(p, "VmRSS");
      m.pssKiB += pss(p);
      m.processes++;
    } catch {} // exited meanwhile
  }
  return m;
}

/** CPU time (user + system) of the server (with --pid-tree: and its descendants), in seconds.
 *  The per-operation figure it gives moves less with other load on the machine than ops/s. */
function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
    } catch {} // exited meanwhile
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}

function fdLimit(): number {
  const m = /Max open files\s+(\d+|unlimited)/.exec(readFileSync("/proc/self/limits", "utf8"));
  return !m || m[1] === "unlimited" ? 1_000_000 : Number(m[1]);
}

// ---------------------------------------------------------------- phases

const result: Record<string, unknown> = {};
/** CPU ms so far of the own server's private PostgreSQL (null: none, or another server). */
let postgresCpuMs: () => number | null = () => null;

async function timed<T>(key: string, label: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const r = await f();
  const ms = performance.now() - t0;
  result[key] = Math.round(ms * 10) / 10;
  console.log(`${label.padEnd(46)} ${ms.toFixed(1).padStart(9)} ms`);
  return r;
}

/** Deterministic so both servers see the same sequence of choices. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

async function phase1(host: string, port: number, pass: string): Promise<void> {
  console.log(`(1) one mailbox of ${N} messages (${userName(1)} INBOX)`);
  const c = await Imap.open(host, port);
  try {
    await c.greeting();
    await c.login(userName(1), pass);
    const sel = await timed("selectFirstMs", "SELECT INBOX (first)", () => c.cmd("SELECT INBOX"));
    if (sel.exists !== N) console.log(`  warning: INBOX has ${sel.exists} messages, expected ${N}`);
    await timed("selectAgainMs", "SELECT INBOX (again)", () => c.cmd("SELECT INBOX"));
    const f = await timed("fetchAllMs", "UID FETCH 1:* (UID FLAGS)", () =>
      c.cmd("UID FETCH 1:* (UID FLAGS)"),
    );
    if (f.untagged < N) console.log(`  warning: FETCH returned ${f.untagged} lines`);
    // Again: a client's next resync, with the server's caches and code paths warm.
    await timed("fetchAllAgainMs", "UID FETCH 1:* (UID FLAGS) (again)", () =>
      c.cmd("UID FETCH 1:* (UID FLAGS)"),
    );
    await timed("searchFromMs", "SEARCH FROM s42@example.test", () => c.cmd("SEARCH FROM s42@example.test"));
    await timed("searchFromAgainMs", "SEARCH FROM s43@example.test (again)", () =>
      c.cmd("SEARCH FROM s43@example.test"),
    );
    // UIDs: both servers number a fresh mailbox 1..N.
    const fetches = Math.max(1, Number(opt.fetches));
    const rand = rng(12345);
    const times: number[] = [];
    for (let i = 0; i < fetches; i++) {
      const uid = 1 + Math.floor(rand() * N);
      const t0 = performance.now();
      const r = await c.cmd(`UID FETCH ${uid} BODY[]`);
      times.push(performance.now() - t0);
      if (r.untagged < 1) throw new Error(`UID FETCH ${uid}: no message`);
    }
    times.sort((a, b) => a - b);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    const p50 = times[times.length >> 1]!;
    result.fetchBodyMeanMs = Math.round(mean * 1000) / 1000;
    result.fetchBodyP50Ms = Math.round(p50 * 1000) / 1000;
    console.log(
      `${`UID FETCH n BODY[], ${fetches} random n`.padEnd(46)} ${mean.toFixed(3).padStart(9)} ms mean, ${p50.toFixed(3)} ms median`,
    );
    await c.cmd("LOGOUT");
  } finally {
    c.close();
  }
}

const MIX_START = 50; // messages each phase-2 mailbox starts with
const MIX_MAX = 100;

async function mixWorker(
  n: number,
  host: string,
  port: number,
  pass: string,
  start: Promise<number>,
  ready: () => void,
  counts: Record<string, number>,
  finished: () => Promise<void>,
): Promise<void> {
  const c = await Imap.open(host, port);
  try {
    await c.greeting();
    await c.login(userName(n), pass);
    await c.cmd("CREATE mix", true);
    let exists = (await c.cmd("SELECT mix")).exists ?? 0;
    while (exists > MIX_START) {
      await c.cmd(`STORE ${exists} +FLAGS.SILENT (\\Deleted)`);
      exists -= (await c.cmd("EXPUNGE")).expunged;
    }
    for (let i = exists; i < MIX_START; i++) await c.append("mix", msg(i));
    exists = (await c.cmd("SELECT mix")).exists ?? 0;
    ready();
    const deadline = await start;
    const rand = rng(1000 + n);
    let appended = 0;
    const track = (r: Reply) => {
      if (r.exists !== null) exists = r.exists;
      exists -= r.expunged;
    };
    while (Date.now() < deadline) {
      const x = rand();
      const k = 1 + Math.floor(rand() * Math.max(1, exists));
      let op: string;
      if (x < 0.1) {
        op = "SELECT";
        track(await c.cmd("SELECT mix"));
      } else if (x < 0.25) {
        op = "FETCH flags";
        track(await c.cmd(`FETCH 1:* (UID FLAGS)`));
      } else if (x < 0.4) {
        op = "FETCH body";
        track(await c.cmd(`FETCH ${k} (UID RFC822.SIZE ENVELOPE BODY.PEEK[])`));
      } else if (x < 0.6) {
        op = "STORE";
        track(await c.cmd(`STORE ${k} ${rand() < 0.5 ? "+" : "-"}FLAGS (\\Flagged)`));
      } else if ((x < 0.75 && exists < MIX_MAX) || exists < 2) {
        op = "APPEND";
        track(await c.append("mix", msg(100000 + n * 100000 + appended++)));
      } else if (x < 0.85) {
        op = "EXPUNGE"; // two commands: mark, then expunge
        track(await c.cmd(`STORE ${k} +FLAGS.SILENT (\\Deleted)`));
        track(await c.cmd("EXPUNGE"));
        counts.commands = (counts.commands ?? 0) + 1;
      } else {
        op = "IDLE"; // enter and leave: the round trips and the server's IDLE setup
        const tag = await c.idle();
        track(await c.done(tag));
      }
      counts[op] = (counts[op] ?? 0) + 1;
      counts.ops = (counts.ops ?? 0) + 1;
      counts.commands = (counts.commands ?? 0) + 1;
    }
    await finished(); // every client stops before any logs out (server CPU is read in between)
    await c.cmd("LOGOUT");
  } finally {
    c.close();
  }
}

async function phase2(host: string, port: number, pass: string, pid: number | null): Promise<void> {
  const seconds = Number(opt.seconds);
  console.log(`(2) ${CLIENTS} clients, mixed SELECT/FETCH/STORE/APPEND/EXPUNGE/IDLE for ${seconds} s`);
  const counts: Record<string, number> = {};
  let readyCount = 0;
  let go: (deadline: number) => void = () => {};
  const start = new Promise<number>((r) => {
    go = r;
  });
  let t0 = 0;
  let workers: Promise<void>[] = [];
  let doneCount = 0;
  let allDone: () => void = () => {};
  const allDoneP = new Promise<void>((r) => {
    allDone = r;
  });
  let release: () => void = () => {};
  const released = new Promise<void>((r) => {
    release = r;
  });
  const allReady = new Promise<void>((r) => {
    const ready = () => {
      if (++readyCount === CLIENTS) r();
    };
    workers = Array.from({ length: CLIENTS }, (_, i) => {
      let called = false;
      const finished = () => {
        if (!called) {
          called = true;
          if (++doneCount === CLIENTS) allDone();
        }
        return released;
      };
      return mixWorker(i + 1, host, port, pass, start, ready, counts, finished).catch((e: Error) => {
        counts.errors = (counts.errors ?? 0) + 1;
        console.log(`  client ${i + 1}: ${e.message}`);
        ready();
        void finished();
      });
    });
  });
  await allReady;
  t0 = Date.now();
  const cpu0 = pid ? cpuSeconds(pid) : 0;
  const pg0 = postgresCpuMs();
  const own0 = process.cpuUsage();
  go(t0 + seconds * 1000);
  const progressFile = opt["progress-file"];
  const progress = progressFile
    ? setInterval(() => appendFileSync(progressFile, `${Date.now()} ${counts.ops ?? 0}\n`), 100)
    : null;
  await allDoneP;
  if (progress) clearInterval(progress);
  const elapsed = (Date.now() - t0) / 1000;
  // Read while every connection is still open: Dovecot's imap processes exit at LOGOUT.
  const cpu = pid ? cpuSeconds(pid) - cpu0 : Number.NaN;
  const pg1 = postgresCpuMs();
  const own = process.cpuUsage(own0);
  const clientCpu = (own.user + own.system) / 1e6;
  release();
  await Promise.all(workers);
  const ops = counts.ops ?? 0;
  result.mixOpsPerSec = Math.round((ops / elapsed) * 10) / 10;
  result.mixCommandsPerSec = Math.round(((counts.commands ?? 0) / elapsed) * 10) / 10;
  result.mixErrors = counts.errors ?? 0;
  if (pid) result.mixServerCpuMsPerOp = Math.round((cpu * 1000 * 1000) / Math.max(1, ops)) / 1000;
  if (pg0 !== null && pg1 !== null)
    result.mixPostgresCpuMsPerOp = Math.round(((pg1 - pg0) * 1000) / Math.max(1, ops)) / 1000;
  result.mixClientCpuMsPerOp = Math.round((clientCpu * 1000 * 1000) / Math.max(1, ops)) / 1000;
  const detail = Object.entries(counts)
    .filter(([k]) => !["ops", "commands", "errors"].includes(k))
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  console.log(
    `mixed load: ${ops} operations in ${elapsed.toFixed(1)} s = ${(ops / elapsed).toFixed(1)} ops/s`,
  );
  console.log(
    `  (${detail}; ${counts.commands ?? 0} commands = ${result.mixCommandsPerSec}/s; errors ${result.mixErrors})`,
  );
  if (pid)
    console.log(
      `  server CPU ${cpu.toFixed(1)} s = ${result.mixServerCpuMsPerOp} ms per operation` +
        `${opt["pid-tree"] ? " (all its processes)" : ""}`,
    );
  if (result.mixPostgresCpuMsPerOp !== undefined)
    console.log(`  PostgreSQL CPU ${result.mixPostgresCpuMsPerOp} ms per operation (its processes)`);
  // The client shares the machine: what it uses is not available to the server.
  console.log(
    `  client CPU ${clientCpu.toFixed(1)} s = ${result.mixClientCpuMsPerOp} ms per operation (this process)`,
  );
}

async function phase3(
  host: string,
  port: number,
  pass: string,
  pid: number | null,
  collect: () => Promise<HeapMem | null>,
): Promise<void> {
  let want = Number(opt.idle);
  const cap = fdLimit() - FD_MARGIN;
  if (want > cap) {
    console.log(`  open-files limit ${cap + FD_MARGIN}: idle connections capped at ${cap} (raise ulimit -n)`);
    want = cap;
  }
  const batch = Math.max(1, Number(opt.batch));
  console.log(`(3) ${want} idle connections (LOGIN, SELECT INBOX, IDLE), ${batch} at a time`);
  const users = CLIENTS > 1 ? CLIENTS - 1 : 1;
  const userOf = (i: number) => userName(CLIENTS > 1 ? 2 + (i % users) : 1);
  // Warm-up, not counted: one full round (LOGIN, SELECT, IDLE, DONE, LOGOUT) per user first, so
  // one-off costs are in the baseline: the first login of each user (Yubin: an argon2id check,
  // 19 MiB of native memory that the allocator keeps), code compiled on first use, caches.
  for (let u = 0; u < Math.min(users, want); u++) {
    const c = await Imap.open(host, port);
    try {
      await c.greeting();
      await c.login(userOf(u), pass);
      await c.cmd("SELECT INBOX");
      await c.done(await c.idle());
      await c.cmd("LOGOUT");
    } finally {
      c.close();
    }
  }
  await collect();
  await new Promise((r) => setTimeout(r, 2000)); // let the server settle after phase 2
  const heapBefore = await collect();
  const before = pid ? memory(pid) : null;
  const conns: Imap[] = [];
  let failures = 0;
  let lastError = "";
  const t0 = Date.now();
  for (let i = 0; i < want && failures < 100; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, want - i) }, async (_, j) => {
        let c: Imap | null = null;
        try {
          c = await Imap.open(host, port);
          await c.greeting();
          await c.login(userOf(i + j), pass);
          await c.cmd("SELECT INBOX");
          await c.idle();
          conns.push(c);
        } catch (e) {
          c?.close();
          failures++;
          lastError = (e as Error).message;
        }
      }),
    );
  }
  const openSecs = (Date.now() - t0) / 1000;
  console.log(
    `opened ${conns.length} idle connections in ${openSecs.toFixed(1)} s${failures ? ` (${failures} failed, last: ${lastError})` : ""}`,
  );
  result.idleConnections = conns.length;
  result.idleFailures = failures;
  if (pid && before) {
    await collect();
    await new Promise((r) => setTimeout(r, Number(opt.settle) * 1000));
    const heapAfter = await collect();
    const after = memory(pid);
    const k = Math.max(1, conns.length);
    const rss = (after.rssKiB - before.rssKiB) / k;
    const p = (after.pssKiB - before.pssKiB) / k;
    result.idleRssKiBPerConn = Math.round(rss * 10) / 10;
    result.idlePssKiBPerConn = Math.round(p * 10) / 10;
    result.rssBeforeKiB = before.rssKiB;
    result.rssAfterKiB = after.rssKiB;
    console.log(
      `server memory: RSS ${(before.rssKiB / 1024).toFixed(1)} -> ${(after.rssKiB / 1024).toFixed(1)} MiB, ` +
        `PSS ${(before.pssKiB / 1024).toFixed(1)} -> ${(after.pssKiB / 1024).toFixed(1)} MiB, ` +
        `processes ${before.processes} -> ${after.processes}`,
    );
    console.log(`per idle connection: RSS ${rss.toFixed(1)} KiB, PSS ${p.toFixed(1)} KiB`);
    if (heapBefore && heapAfter) {
      // What the connections hold in the V8 heap and in buffers outside it; RSS also counts heap
      // pages V8 reserved while the connections were opened (young generation, fragmentation)
      // and native memory (libuv handles, malloc); socket buffers are kernel memory, in neither.
      const per = (k2: keyof HeapMem) => (heapAfter[k2] - heapBefore[k2]) / 1024 / k;
      result.idleHeapUsedKiBPerConn = Math.round(per("heapUsed") * 100) / 100;
      result.idleExternalKiBPerConn = Math.round(per("external") * 100) / 100;
      console.log(
        `  of which V8 heap used ${per("heapUsed").toFixed(2)} KiB, external ${per("external").toFixed(2)} KiB ` +
          `(heap total ${(heapBefore.heapTotal / 2 ** 20).toFixed(1)} -> ${(heapAfter.heapTotal / 2 ** 20).toFixed(1)} MiB)`,
      );
    }
  } else console.log("no --pid: server memory not measured");
  for (const c of conns) c.close();
}

async function phase4(host: string, port: number, pass: string): Promise<void> {
  const n = Math.max(1, Number(opt.appends));
  console.log(`(4) APPEND latency, one client, ${n} messages of each kind (${userName(1)} mailbox "lit")`);
  const c = await Imap.open(host, port, true);
  try {
    await c.greeting();
    await c.login(userName(1), pass);
    await c.cmd("CREATE lit", true);
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;
    const run = async (key: string, label: string, send: (m: Buffer) => Promise<Reply>) => {
      const times: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await send(msg(i));
        times.push(performance.now() - t0);
      }
      const p50 = median(times);
      result[key] = Math.round(p50 * 1000) / 1000;
      console.log(`${label.padEnd(46)} ${p50.toFixed(3).padStart(9)} ms median`);
    };
    await run("appendSplitP50Ms", "APPEND {n}, literal and CRLF in 2 writes", (m) => c.appendSplit("lit", m));
    await run("appendWholeP50Ms", "APPEND {n}, literal and CRLF in 1 write", (m) => c.append("lit", m));
    await c.cmd("LOGOUT");
  } finally {
    c.close();
  }
}

async function main(): Promise<void> {
  const phases = new Set(opt.phases.split(",").map((s) => s.trim()));
  let host = opt.host ?? "127.0.0.1";
  let port = Number(opt.port ?? 143);
  let pid: number | null = opt.pid ? Number(opt.pid) : null;
  let stop = async () => {};
  let collect = (): Promise<HeapMem | null> => Promise.resolve(null);
  if (!opt.host && !opt.port) {
    const own = await startOwnServer(Number(opt.idle) + CLIENTS + 100);
    host = "127.0.0.1";
    port = own.port;
    pid = own.pid;
    stop = own.stop;
    collect = own.collect;
    postgresCpuMs = () => own.backend.cpuMs();
    result.backend = own.backend.label;
    result.workers = Number(opt.workers);
    console.log(`backend: ${own.backend.label}, ${opt.workers} worker(s)`);
  }
  const pass = opt.pass ?? PASSWORD;
  console.log(
    `against ${host}:${port}${pid ? ` (server pid ${pid}${opt["pid-tree"] ? " and descendants" : ""})` : ""}`,
  );
  try {
    if (phases.has("1")) await phase1(host, port, pass);
    if (phases.has("2")) await phase2(host, port, pass, pid);
    if (phases.has("3")) await phase3(host, port, pass, pid, collect);
    if (phases.has("4")) await phase4(host, port, pass);
    if (pid) {
      const m = memory(pid);
      result.finalRssKiB = m.rssKiB;
    }
  } finally {
    await stop();
  }
  console.log(`RESULT ${JSON.stringify(result)}`);
}

// Last, so every class above is initialised before use.
if (opt["serve-child"]) await serveChild(opt["serve-child"], Number(opt.idle));
else if (opt["write-maildirs"]) await writeMaildirs(opt["write-maildirs"]);
else await main();
