// POP3 download benchmark: C concurrent clients, each logging in to its own mailbox of M
// messages and doing STAT, UIDL, RETR of every message and QUIT, again and again for T seconds.
// Prints sessions/s, messages/s, MB/s of message data and the server's peak RSS.
//
//   npm run bench:pop3                                   # starts its own Yubin (child process)
//   npm run bench:pop3 -- --clients 20 --messages 1000 --size 4096 --seconds 20 [--tls]
//   npm run bench:pop3 -- --workers 2                    # own server as `yubin serve --workers 2`
//   npm run bench:pop3 -- --backend postgres [--workers 2] [--postgres-url URL]
//                                                        # own server on a private, durable
//                                                        # PostgreSQL (or a fresh schema in URL's
//                                                        # database): bench/backend.ts
//   npm run bench:pop3 -- --host 127.0.0.1 --port 110 --user 'bench{n}@example.test' --pass secret [--pid 1234]
//                                                        # any POP3 server, e.g. Dovecot
//   npm run bench:pop3 -- --write-maildirs DIR --clients 20 --messages 1000
//                                                        # only write DIR/bench{n}/Maildir with the
//                                                        # same messages, for another server; exit
// With --user, "{n}" is replaced by the client number (1..C): POP3 servers lock a maildrop per
// session, so concurrent clients need one mailbox each. The client is a plain sequential one,
// as fetchmail or a desktop client would be (one command, one reply).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { connect as netConnect, type Socket } from "node:net";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { type App, type AppDeps, startApp } from "../src/app/start.js";
import { hashPassword } from "../src/auth/password.js";
import type { AuthResult } from "../src/auth/types.js";
import { defaultConfig } from "../src/config/load.js";
import type { Config } from "../src/config/schema.js";
import { silentLogger } from "../src/log/logger.js";
import { benchArgs } from "./args.js";
import { applyStorage, type BenchBackend, backendArgs, onSignals, startOwnOn, treeCpuMs } from "./backend.js";
import { serveBench } from "./workers.js";

const { values: opt } = benchArgs(
  import.meta.url,
  {
    options: {
      host: { type: "string" },
      port: { type: "string" },
      user: { type: "string" },
      pass: { type: "string" },
      pid: { type: "string" },
      tls: { type: "boolean", default: false },
      "no-mark-seen": { type: "boolean", default: false }, // own server: pop3.markSeenOnRetr = false
      // Own server: answer repeated logins with the same user and password from memory, skipping
      // the ~30 ms argon2id verification. Bench only: measures the POP3 engine alone, as a server
      // with {PLAIN} passwords would (bench/compare/ runs Dovecot that way for its "plain" figures).
      "cheap-auth": { type: "boolean", default: false },
      clients: { type: "string", default: "20" },
      messages: { type: "string", default: "1000" },
      size: { type: "string", default: "4096" },
      seconds: { type: "string", default: "20" },
      workers: { type: "string", default: "1" }, // own server: worker processes (bench/workers.ts)
      ...backendArgs,
      "serve-child": { type: "string" }, // internal: run the server in this process
      "write-maildirs": { type: "string" },
      "cpu-prof-dir": { type: "string" }, // own server: write a V8 CPU profile of it into this dir
    },
  },
  ["serve-child", "serve-postgres-url"],
);

const PASSWORD = "bench password";

/** Child mode: serve POP3 from an already populated data directory; print the port. */
async function serveChild(dataDir: string): Promise<void> {
  const config = defaultConfig();
  config.server.dataDir = dataDir;
  config.server.hostname = "localhost";
  applyStorage(config, opt["serve-postgres-url"]);
  config.pop3.allowPlaintextAuth = true;
  config.pop3.markSeenOnRetr = !opt["no-mark-seen"];
  config.pop3.maxConnectionsPerIp = 1000;
  // Every client comes from 127.0.0.1: the auth service counts logins still being checked
  // against throttleMaxFailures, so 20 simultaneous logins from one IP would be refused.
  config.auth.throttleMaxFailures = 1000;
  config.listeners = [
    { protocol: "pop3", address: "127.0.0.1", port: 0, tls: opt.tls ? "implicit" : "none" },
  ];
  await serveBench({
    workers: Number(opt.workers),
    start: (deps) => startOne(config, deps),
    announce: (port) => process.stdout.write(JSON.stringify({ port }) + "\n"),
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
  return app;
}

function messageBody(box: number, i: number, size: number): Buffer {
  const head = [
    `From: Bench Sender <sender${i % 50}@example.net>`,
    `To: bench${box}@example.test`,
    `Subject: bench message ${i} for mailbox ${box}`,
    `Date: Mon, 1 Jan 2024 00:00:00 +0000`,
    `Message-ID: <bench-${box}-${i}@example.net>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
  ].join("\r\n");
  const lines: string[] = [];
  let len = head.length + 2;
  for (let l = 0; len < size; l++) {
    // Some lines start with a dot, so dot-stuffing is exercised.
    const line = (l % 17 === 0 ? "." : "") + `line ${l} of message ${i}: `.padEnd(72, "abcdefghij");
    lines.push(line);
    len += line.length + 2;
  }
  return Buffer.from(head + "\r\n" + lines.join("\r\n") + "\r\n");
}

async function startOwnServer(clients: number, messages: number, size: number) {
  return startOwnOn(
    "yubin-bench-pop3-",
    { backend: opt.backend, postgresUrl: opt["postgres-url"] },
    (backend, dataDir) => startOn(backend, dataDir, clients, messages, size),
  );
}

/** Fills the store, then starts the server child on it. */
async function startOn(
  backend: BenchBackend,
  dataDir: string,
  clients: number,
  messages: number,
  size: number,
) {
  const t0 = Date.now();
  const store = await backend.open();
  await store.directory.addDomain("example.test");
  const hash = await hashPassword(PASSWORD);
  const ids: number[] = [];
  for (let b = 1; b <= clients; b++)
    ids.push(
      (await store.directory.createAccount({ address: `bench${b}@example.test`, passwordHash: hash })).id,
    );
  for (let b = 0; b < ids.length; b++) {
    for (let i = 0; i < messages; i += 250) {
      const batch: Promise<unknown>[] = [];
      for (let j = i; j < Math.min(messages, i + 250); j++)
        batch.push(store.mail.deliver(messageBody(b + 1, j, size), [{ accountId: ids[b]! }]));
      await Promise.all(batch);
    }
  }
  await store.close();
  console.log(
    `populated ${clients} mailboxes x ${messages} messages in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );

  const prof = opt["cpu-prof-dir"] ? ["--cpu-prof", "--cpu-prof-dir", opt["cpu-prof-dir"]] : [];
  const args = [
    ...prof,
    "--import",
    new URL("../scripts/ts-loader/register.mjs", import.meta.url).href,
    new URL(import.meta.url).pathname,
    "--serve-child",
    dataDir,
  ];
  if (opt.tls) args.push("--tls");
  if (opt["no-mark-seen"]) args.push("--no-mark-seen");
  if (opt["cheap-auth"]) args.push("--cheap-auth");
  args.push("--workers", opt.workers, ...backend.childArgs());
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  // Interrupted before it announced its port (its stop() not yet registered): not left behind.
  const offStarting = onSignals(async () => void child.kill("SIGKILL"));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve((JSON.parse(out.slice(0, nl)) as { port: number }).port);
    });
    child.on("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  offStarting();
  return {
    port,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
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

/** Write DIR/bench{n}/Maildir for n = 1..clients with the messages the own server gets, laid out
 *  as Dovecot's LDA would have delivered them: LF line ends on disk, and the physical (S=) and
 *  CRLF (W=) sizes in the file name, so the server need not read a file to answer STAT/LIST. */
async function writeMaildirs(dir: string, clients: number, messages: number, size: number) {
  const t0 = Date.now();
  for (let b = 1; b <= clients; b++) {
    const md = join(dir, `bench${b}`, "Maildir");
    for (const sub of ["cur", "new", "tmp"]) await mkdir(join(md, sub), { recursive: true });
    for (let i = 0; i < messages; i++) {
      const crlf = messageBody(b, i, size);
      const lf = Buffer.from(crlf.toString("latin1").replaceAll("\r\n", "\n"), "latin1");
      // Unique names in the usual <time>.M<n>P<pid>.<host> shape; ":2," = no flags yet.
      const name = `${1700000000 + i}.M${b}P${i}.bench,S=${lf.length},W=${crlf.length}:2,`;
      await writeFile(join(md, "cur", name), lf);
    }
  }
  console.log(
    `wrote ${clients} maildirs x ${messages} messages in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
}

/** A lean POP3 client: one command, one reply; counts the octets of message data. */
class Client {
  private buf: Buffer = Buffer.alloc(0);
  private scan = 0;
  private wake: (() => void) | null = null;
  private closed = false;
  constructor(private readonly sock: Socket) {
    sock.setNoDelay(true);
    sock.on("data", (d: Buffer) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      this.wake?.();
    });
    sock.on("close", () => {
      this.closed = true;
      this.wake?.();
    });
    sock.on("error", () => {});
  }

  private async until<T>(take: () => T | null): Promise<T> {
    for (;;) {
      const got = take();
      if (got !== null) return got;
      if (this.closed) throw new Error("connection closed");
      await new Promise<void>((r) => {
        this.wake = () => {
          this.wake = null;
          r();
        };
      });
    }
  }

  line(): Promise<string> {
    return this.until(() => {
      const i = this.buf.indexOf("\r\n");
      if (i < 0) return null;
      const s = this.buf.toString("latin1", 0, i);
      this.buf = this.buf.subarray(i + 2);
      return s;
    });
  }

  /** A multi-line body; returns its length in octets (stuffed, without ".CRLF"). */
  body(): Promise<number> {
    this.scan = 0;
    return this.until(() => {
      if (this.buf.length >= 3 && this.buf[0] === 0x2e && this.buf[1] === 0x0d && this.buf[2] === 0x0a) {
        this.buf = this.buf.subarray(3);
        return 0;
      }
      const i = this.buf.indexOf("\r\n.\r\n", this.scan);
      if (i < 0) {
        this.scan = Math.max(0, this.buf.length - 4);
        return null;
      }
      this.buf = this.buf.subarray(i + 5);
      return i + 2;
    });
  }

  async ok(cmd: string): Promise<string> {
    this.sock.write(cmd + "\r\n");
    const r = await this.line();
    if (!r.startsWith("+OK")) throw new Error(`${cmd.split(" ")[0]}: ${r}`);
    return r;
  }

  close(): void {
    this.sock.destroy();
  }
}

function open(host: string, port: number, tls: boolean): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = tls
      ? tlsConnect({ host, port, rejectUnauthorized: false }, () => resolve(s))
      : netConnect({ host, port }, () => resolve(s));
    s.once("error", reject);
  });
}

interface Totals {
  sessions: number;
  messages: number;
  octets: number;
  errors: number;
  lastError: string;
}

async function worker(n: number, target: { host: string; port: number }, deadline: number, t: Totals) {
  const user = (opt.user ?? "bench{n}@example.test").replace("{n}", String(n));
  const pass = opt.pass ?? PASSWORD;
  while (Date.now() < deadline) {
    let c: Client | null = null;
    try {
      c = new Client(await open(target.host, target.port, opt.tls ?? false));
      const greeting = await c.line();
      if (!greeting.startsWith("+OK")) throw new Error(greeting);
      await c.ok(`USER ${user}`);
      await c.ok(`PASS ${pass}`);
      const count = Number((await c.ok("STAT")).split(" ")[1]);
      await c.ok("UIDL");
      await c.body();
      for (let i = 1; i <= count && Date.now() < deadline; i++) {
        await c.ok(`RETR ${i}`);
        t.octets += await c.body();
        t.messages++;
      }
      if (Date.now() >= deadline) break; // unfinished session: counted in octets, not sessions
      await c.ok("QUIT");
      t.sessions++;
    } catch (e) {
      t.errors++;
      t.lastError = (e as Error).message;
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      c?.close();
    }
  }
}

/** Peak RSS of the process, and of its children too (the workers under --workers N). */
function peakRssMb(pid: number): number | null {
  const one = (p: number) => {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  };
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").split(" ").filter(Boolean);
    return Math.round((one(pid) + children.reduce((sum, c) => sum + one(Number(c)), 0)) / 1024);
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const clients = Number(opt.clients);
  const messages = Number(opt.messages);
  const size = Number(opt.size);
  const seconds = Number(opt.seconds);
  let target: { host: string; port: number };
  let pid: number | null = opt.pid ? Number(opt.pid) : null;
  let stop = async () => {};
  let backend: BenchBackend | null = null;
  if (opt.host || opt.port) {
    target = { host: opt.host ?? "127.0.0.1", port: Number(opt.port ?? (opt.tls ? 995 : 110)) };
  } else {
    const own = await startOwnServer(clients, messages, size);
    target = { host: "127.0.0.1", port: own.port };
    pid = own.pid;
    stop = own.stop;
    backend = own.backend;
  }
  console.log(
    `${clients} clients, ${seconds} s, against ${target.host}:${target.port}${opt.tls ? " (implicit TLS)" : ""}${Number(opt.workers) > 1 ? ` (${opt.workers} workers)` : ""}`,
  );
  if (backend) console.log(`backend:    ${backend.label}, ${opt.workers} worker(s)`);
  const totals: Totals = { sessions: 0, messages: 0, octets: 0, errors: 0, lastError: "" };
  // CPU of the server (its workers included) and of a private PostgreSQL: steadier than the rate
  // on a shared machine.
  const cpu0 = pid ? treeCpuMs(pid) : null;
  const pg0 = backend?.cpuMs() ?? null;
  const t0 = Date.now();
  const deadline = t0 + seconds * 1000;
  try {
    await Promise.all(Array.from({ length: clients }, (_, i) => worker(i + 1, target, deadline, totals)));
  } catch (e) {
    await stop();
    throw e;
  }
  const elapsed = (Date.now() - t0) / 1000;
  const cpu1 = pid ? treeCpuMs(pid) : null;
  const pg1 = backend?.cpuMs() ?? null;
  const rss = pid ? peakRssMb(pid) : null;
  await stop();
  const perSession = (a: number | null, b: number | null) =>
    a !== null && b !== null ? ((b - a) / Math.max(1, totals.sessions)).toFixed(2) : null;
  const serverCpu = perSession(cpu0, cpu1);
  const pgCpu = perSession(pg0, pg1);
  console.log(
    [
      `sessions:   ${totals.sessions} complete (${(totals.sessions / elapsed).toFixed(2)} sessions/s)`,
      `messages:   ${totals.messages} retrieved (${Math.round(totals.messages / elapsed)} messages/s)`,
      `throughput: ${(totals.octets / elapsed / 1e6).toFixed(1)} MB/s of message data`,
      `errors:     ${totals.errors}${totals.lastError ? ` (last: ${totals.lastError})` : ""}`,
      rss !== null ? `server peak RSS: ${rss} MB` : "",
      serverCpu !== null ? `server CPU: ${serverCpu} ms per session (all its processes)` : "",
      pgCpu !== null ? `PostgreSQL CPU: ${pgCpu} ms per session` : "",
    ]
      .filter(Boolean)
      .join("\n"),
  );
}

// Last, so every class above is initialised before use.
if (opt["serve-child"]) await serveChild(opt["serve-child"]);
else if (opt["write-maildirs"])
  await writeMaildirs(opt["write-maildirs"], Number(opt.clients), Number(opt.messages), Number(opt.size));
else await main();
