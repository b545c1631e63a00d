// What a second worker process costs per message, warm: `yubin serve` as 1 process and as
// `--workers 2` (round-robin and kernel scheduling), alternated, each taking SMTP mail with one
// connection per message (as bench:smtp --per-message) in rounds on one running server. The
// first rounds are warm-up and not counted: each process pays V8's tiering of the hot code once
// (interpreter, baseline, then optimised code, compiled on V8's own threads), so a cold run of a
// few thousand messages charges two workers that cost twice (docs/ARCHITECTURE.md, every core).
// Prints the server's CPU per message of every measured round, the supervisor's part apart, and
// per setup the median and its ratio to one process. CPU is read from /proc (user + system of
// the supervisor and each worker): on a loaded machine it is steadier than a rate.
//
//   node --import tsx bench/workers-cost.ts                      # 3 pairs; 2 warm-up rounds and
//                                                                # 2 counted, of 3,000 each
//   node --import tsx bench/workers-cost.ts --pairs 5 --messages 5000 --warmup 2 --rounds 2
//   node --import tsx bench/workers-cost.ts --setups 1,2rr        # 1 process and round-robin only
//   node --import tsx bench/workers-cost.ts --mailauth off         # without inbound SPF/DKIM/DMARC
// With --mailauth on (the default) the server checks SPF, DKIM and DMARC of every message as
// bench:smtp does (bench/smtp-auth-dns.ts: the sender's DNS in-process, each round's messages
// DKIM-signed before its CPU is read), and a run fails unless every message passed all three.
import { readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashPassword } from "../src/auth/password.js";
import { dnsSection } from "../src/dns/config.js";
import { silentLogger } from "../src/log/logger.js";
import { LocalNotifier } from "../src/store/notifier.js";
import { openSqliteStore } from "../src/store/sqlite/index.js";
import { startServerProcess } from "../src/testing/process.js";
import { benchArgs } from "./args.js";
import {
  mailauthVerdicts,
  SENDER_DOMAIN,
  SENDER_HELO,
  type SenderDns,
  startSenderDns,
} from "./smtp-auth-dns.js";

const { values: opt } = benchArgs(import.meta.url, {
  options: {
    messages: { type: "string", default: "3000" }, // per round
    // Rounds not counted. Each worker sees half the messages, so it is still warming up after
    // 1,000 of them (its second round cost 10-20 % more than its third at 2,000 a round).
    warmup: { type: "string", default: "2" },
    rounds: { type: "string", default: "2" }, // rounds counted
    pairs: { type: "string", default: "3" },
    setups: { type: "string", default: "1,2rr,2kernel" },
    concurrency: { type: "string", default: "20" },
    size: { type: "string", default: "4096" },
    mailauth: { type: "string", default: "on" }, // inbound SPF/DKIM/DMARC checks (bench:smtp's)
  },
});
if (opt.mailauth !== "on" && opt.mailauth !== "off") throw new Error("--mailauth on|off");
const MESSAGES = Number(opt.messages);
const CONCURRENCY = Number(opt.concurrency);
const SIZE = Number(opt.size);
const MAILBOXES = 20;

interface Setup {
  name: string;
  workers: number;
  scheduling: "round-robin" | "kernel";
}
const SETUPS: Record<string, Setup> = {
  "1": { name: "1 process", workers: 1, scheduling: "round-robin" },
  "2rr": { name: "2 workers, round-robin", workers: 2, scheduling: "round-robin" },
  "2kernel": { name: "2 workers, kernel", workers: 2, scheduling: "kernel" },
};
const setups = opt.setups.split(",").map((s) => {
  const found = SETUPS[s];
  if (!found) throw new Error(`--setups: one of ${Object.keys(SETUPS).join(", ")}`);
  return found;
});

/** CPU ms (user + system) of a process, from /proc/<pid>/stat (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").split(" ").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Reads one complete SMTP reply (its last line, "NNN ...") at a time. */
class Conn {
  private buf = "";
  private lines: string[] = [];
  private wake: (() => void) | null = null;
  private failed: Error | null = null;

  private constructor(private readonly sock: Socket) {
    sock.setEncoding("latin1");
    sock.setNoDelay(true);
    sock.on("data", (d: string) => {
      this.buf += d;
      for (let nl = this.buf.indexOf("\r\n"); nl >= 0; nl = this.buf.indexOf("\r\n")) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 2);
        if (line[3] !== "-") this.lines.push(line);
      }
      this.wake?.();
    });
    sock.on("error", (e) => {
      this.failed = e;
      this.wake?.();
    });
    sock.on("close", () => {
      this.failed ??= new Error("connection closed");
      this.wake?.();
    });
  }

  static open(port: number): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: "127.0.0.1", port }, () => resolve(new Conn(s)));
      s.once("error", reject);
    });
  }

  async expect(code: string, what: string): Promise<void> {
    while (this.lines.length === 0) {
      if (this.failed) throw this.failed;
      await new Promise<void>((r) => {
        this.wake = r;
      });
      this.wake = null;
    }
    const got = this.lines.shift()!;
    if (!got.startsWith(code)) throw new Error(`${what}: expected ${code}, got ${JSON.stringify(got)}`);
  }

  send(s: string): void {
    this.sock.write(s);
  }

  quit(): Promise<void> {
    return new Promise((resolve) => {
      this.sock.once("close", () => resolve());
      this.sock.end("QUIT\r\n");
    });
  }
}

function message(i: number, to: string): string {
  let m = `From: Bench <bench@${SENDER_DOMAIN}>\r\nTo: <${to}>\r\nSubject: workers cost ${i}\r\nMessage-ID: <wc-${i}-${Date.now()}@${SENDER_DOMAIN}>\r\nDate: ${new Date().toUTCString()}\r\n\r\n`;
  const line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\r\n";
  while (m.length + line.length <= SIZE) m += line;
  return m;
}

/** One message on its own connection, MAIL/RCPT/DATA pipelined (RFC 2920). */
const rcptOf = (i: number) => `bench${i % MAILBOXES}@example.test`;

async function deliverOne(port: number, i: number, text: string): Promise<void> {
  const to = rcptOf(i);
  const c = await Conn.open(port);
  await c.expect("220", "greeting");
  c.send(`EHLO ${SENDER_HELO}\r\n`);
  await c.expect("250", "EHLO");
  c.send(`MAIL FROM:<bench@${SENDER_DOMAIN}>\r\nRCPT TO:<${to}>\r\nDATA\r\n`);
  await c.expect("250", "MAIL");
  await c.expect("250", "RCPT");
  await c.expect("354", "DATA");
  c.send(`${text}.\r\n`);
  await c.expect("250", "end of data");
  await c.quit();
}

/** A round's messages, DKIM-signed when the checks are on (before the round's CPU is read). */
async function roundMessages(first: number, dns: SenderDns | null): Promise<string[]> {
  const out: string[] = [];
  for (let n = 0; n < MESSAGES; n++) {
    const m = message(first + n, rcptOf(first + n));
    out.push(dns ? await dns.sign(m) : m);
  }
  return out;
}

async function round(port: number, first: number, texts: string[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < MESSAGES) {
        const n = next++;
        await deliverOne(port, first + n, texts[n]!);
      }
    }),
  );
}

async function run(setup: Setup): Promise<{ total: number; supervisor: number }[]> {
  const dataDir = await mkdtemp(join(tmpdir(), "yubin-workers-cost-"));
  const store = await openSqliteStore({ dataDir, notifier: new LocalNotifier(), log: silentLogger });
  await store.directory.addDomain("example.test");
  const hash = await hashPassword("bench-password-not-used");
  for (let i = 0; i < MAILBOXES; i++)
    await store.directory.createAccount({ address: `bench${i}@example.test`, passwordHash: hash });
  await store.close();
  const dns = opt.mailauth === "on" ? await startSenderDns() : null;
  const proc = await startServerProcess({
    dataDir,
    args: ["--workers", String(setup.workers)],
    listeners: [{ protocol: "smtp", tls: "none" }],
    config: {
      smtp: { maxConnectionsPerIp: Math.max(20, CONCURRENCY) },
      workers: { scheduling: setup.scheduling },
      // As bench:smtp --mailauth on: checks on, the sender's DNS with the server's default cache.
      ...(dns
        ? {
            mailauth: { verifyInbound: true },
            dns: { servers: dns.servers, cacheSec: dnsSection.cacheSec.default },
          }
        : {}),
    },
    timeoutMs: 120_000,
  }).catch(async (e: unknown) => {
    await dns?.stop();
    throw e;
  });
  const port = proc.ports.get("smtp/none")!;
  const out: { total: number; supervisor: number }[] = [];
  try {
    const rounds = Number(opt.warmup) + Number(opt.rounds);
    for (let r = 0; r < rounds; r++) {
      const texts = await roundMessages(r * MESSAGES, dns);
      const pids = [proc.pid, ...children(proc.pid)];
      const before = pids.map(cpuMs);
      await round(port, r * MESSAGES, texts);
      const spent = pids.map((p, i) => cpuMs(p) - before[i]!);
      if (r < Number(opt.warmup)) continue;
      const total = spent.reduce((a, b) => a + b, 0) / MESSAGES;
      // With workers the server process is the supervisor; alone it is the one that serves.
      const supervisor = setup.workers > 1 ? spent[0]! / MESSAGES : 0;
      out.push({ total, supervisor });
      console.log(
        JSON.stringify({
          setup: setup.name,
          round: r + 1,
          serverCpuMsPerMessage: Number(total.toFixed(3)),
          supervisorCpuMsPerMessage: Number(supervisor.toFixed(3)),
          load: readFileSync("/proc/loadavg", "utf8").split(" ")[0],
        }),
      );
    }
  } finally {
    await proc.stop();
    await dns?.stop();
  }
  if (dns) {
    const want = (Number(opt.warmup) + Number(opt.rounds)) * MESSAGES;
    const v = mailauthVerdicts(proc.output());
    if (v.accepted !== want || v.allPass !== want)
      throw new Error(
        `--mailauth on: ${v.allPass} of ${want} messages (${v.accepted} accepted) passed spf, dkim and dmarc; first other: ${v.firstOther}`,
      );
  }
  return out;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const results = new Map<string, { total: number[]; supervisor: number[] }>();
for (let p = 0; p < Number(opt.pairs); p++)
  for (const s of setups) {
    const r = results.get(s.name) ?? { total: [], supervisor: [] };
    for (const x of await run(s)) {
      r.total.push(x.total);
      r.supervisor.push(x.supervisor);
    }
    results.set(s.name, r);
  }
const alone = results.get(SETUPS["1"]!.name);
for (const [name, r] of results)
  console.log(
    `RESULT ${JSON.stringify({
      setup: name,
      rounds: r.total.length,
      medianCpuMsPerMessage: Number(median(r.total).toFixed(3)),
      medianSupervisorCpuMsPerMessage: Number(median(r.supervisor).toFixed(3)),
      ratioToOneProcess: alone ? Number((median(r.total) / median(alone.total)).toFixed(2)) : null,
    })}`,
  );
