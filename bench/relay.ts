// Relay benchmark: instance A takes M messages over submission (AUTH, implicit TLS) addressed to
// R recipients spread over D remote domains, all served by instance B; A's queue runner
// delivers them (MX lookup through a local DNS server, STARTTLS, connection reuse). Prints
// messages/s end to end (first submission to the last copy stored in B) and the number of SMTP
// connections A opened to B (reuse works when it is far below the number of messages).
//
//   npm run bench:relay
//   npm run bench:relay -- --messages 5000 --recipients 100 --domains 10 --concurrency 10 --connections 10
// --concurrency is the number of submission connections, --connections A's outbound.maxConnections
// (kept below B's smtp.maxConnectionsPerIp, 20, as a real receiver would enforce).
// --sequential submits everything before A's queue runner starts (the two rates apart);
// --split runs B as a child process (`yubin serve`), so the receiving side does not share the
// sender's event loop and core; by default everything is in one process.
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { openStore } from "../src/app/stores.js";
import { defaultConfig } from "../src/config/load.js";
import { createDnsResolver } from "../src/dns/resolver.js";
import { silentLogger } from "../src/log/logger.js";
import { createQueueRunner } from "../src/outbound/runner.js";
import { LocalNotifier } from "../src/store/notifier.js";
import type { Store } from "../src/store/types.js";
import { startDnsServer, type ZoneRecord } from "../src/testing/dns-server.js";
import { startTestServer, testPassword } from "../src/testing/harness.js";
import { startServerProcess } from "../src/testing/process.js";
import { benchArgs } from "./args.js";

const { values: opt } = benchArgs(import.meta.url, {
  options: {
    messages: { type: "string", default: "5000" },
    recipients: { type: "string", default: "100" },
    domains: { type: "string", default: "10" },
    concurrency: { type: "string", default: "10" },
    connections: { type: "string", default: "10" },
    size: { type: "string", default: "2048" },
    // Submit everything first, then start A's queue runner: the two rates apart.
    sequential: { type: "boolean", default: false },
    split: { type: "boolean", default: false },
  },
});
const total = Number(opt.messages);
const nRcpt = Number(opt.recipients);
const nDomains = Number(opt.domains);
const concurrency = Number(opt.concurrency);
const size = Number(opt.size);
const connections = Number(opt.connections);

const domains = Array.from({ length: nDomains }, (_, i) => `d${i}.bench.test`);
const recipients = Array.from({ length: nRcpt }, (_, i) => `user${i}@${domains[i % nDomains]}`);
const zone: ZoneRecord[] = [
  ...domains.map((d): ZoneRecord => ({ name: d, type: "MX", exchange: "mx.b.bench.test", priority: 10 })),
  { name: "mx.b.bench.test", type: "A", value: "127.0.0.1" },
];

/** The receiving side: its SMTP port, and (after the run) how many copies it stored. */
interface Receiver {
  port: number;
  /** Stops B and returns the number of messages in the recipients' INBOXes. */
  finish(): Promise<number>;
}

async function countStored(store: Store): Promise<number> {
  let n = 0;
  for (const r of recipients) {
    const acct = await store.directory.getAccountByAddress(r);
    const box = await store.mail.getMailbox(acct!.id, "INBOX");
    n += (await store.mail.mailboxCounts(box!.id)).messages;
  }
  return n;
}

async function receiverInProcess(): Promise<Receiver> {
  const b = await startTestServer({ domains, users: [] });
  for (const r of recipients) await b.store.directory.createAccount({ address: r, passwordHash: "x" });
  return {
    port: b.ports.smtp,
    async finish() {
      const n = await countStored(b.store);
      await b.stop();
      return n;
    },
  };
}

async function receiverProcess(): Promise<Receiver> {
  const dataDir = await mkdtemp(join(tmpdir(), "yubin-bench-b-"));
  const config = defaultConfig();
  config.server.dataDir = dataDir;
  const setup = async <T>(fn: (s: Store) => Promise<T>): Promise<T> => {
    const store = await openStore(config, new LocalNotifier(), silentLogger);
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  };
  await setup(async (s) => {
    for (const d of domains) await s.directory.addDomain(d);
    for (const r of recipients) await s.directory.createAccount({ address: r, passwordHash: "x" });
  });
  const proc = await startServerProcess({ dataDir, keepData: true });
  return {
    port: proc.ports.get("smtp/none")!,
    async finish() {
      await proc.stop();
      const n = await setup(countStored);
      await rm(dataDir, { recursive: true, force: true });
      return n;
    },
  };
}

const dns = await startDnsServer(zone);
const b = opt.split ? await receiverProcess() : await receiverInProcess();
const a = await startTestServer({
  domains: ["a.bench.test"],
  users: [{ address: "alice@a.bench.test", password: testPassword }],
  // One account sends every message: the per-account sending limits ([limits], 200 an hour)
  // would refuse all but the first few hundred; what is measured here is the relay path.
  config: {
    dns: { servers: dns.servers },
    limits: { messagesPerHour: 0, messagesPerDay: 0, recipientsPerHour: 0, recipientsPerDay: 0 },
  },
});
// A's runner, built here (not by the app) so its connection count can be read.
const runner = createQueueRunner({
  store: a.store,
  config: {
    ...a.config,
    outbound: {
      ...a.config.outbound,
      enabled: true,
      port: b.port,
      pollIntervalMs: 20,
      mtaSts: false,
      maxConnections: connections,
      retryBaseMs: 1000,
    },
  },
  log: silentLogger,
  resolver: createDnsResolver({ servers: dns.servers }),
  postOffice: a.ctx.postOffice, // DSNs, if any, go in like the app's own
});

const text = `${"The quick brown fox jumps over the lazy dog. ".repeat(Math.ceil(size / 46)).slice(0, size)}\r\n`;
const transport = nodemailer.createTransport({
  pool: true,
  maxConnections: concurrency,
  maxMessages: Number.POSITIVE_INFINITY,
  host: "127.0.0.1",
  port: a.ports.submissions,
  secure: true,
  tls: { rejectUnauthorized: false },
  auth: { user: "alice@a.bench.test", pass: testPassword },
});

const t0 = performance.now();
const cpu0 = process.cpuUsage();
if (!opt.sequential) runner.start();
let next = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const i = next++;
      await transport.sendMail({
        from: "alice@a.bench.test",
        to: recipients[i % nRcpt],
        subject: `bench ${i}`,
        text,
      });
    }
  }),
);
const tSubmitted = performance.now();
if (opt.sequential) runner.start();
const deadline = Date.now() + 600_000;
while (runner.stats().delivered < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
const t1 = performance.now();
const cpu = process.cpuUsage(cpu0);
const load = loadavg();
const st = runner.stats();
transport.close();
await runner.stop();
await a.stop();
const stored = await b.finish();
await dns.stop();

const secs = (t1 - t0) / 1000;
console.log(
  JSON.stringify({
    messages: total,
    recipients: nRcpt,
    domains: nDomains,
    submitConcurrency: concurrency,
    outboundMaxConnections: connections,
    bodyBytes: size,
    receiver: opt.split ? "child process" : "same process",
    submittedInSec: +((tSubmitted - t0) / 1000).toFixed(2),
    submitPerSec: +(total / ((tSubmitted - t0) / 1000)).toFixed(1),
    deliveredInSec: +((t1 - tSubmitted) / 1000).toFixed(2),
    endToEndSec: +secs.toFixed(2),
    messagesPerSec: +(total / secs).toFixed(1),
    storedInB: stored,
    smtpConnectionsOpened: st.connectionsOpened,
    deliveryAttempts: st.attempts,
    deferred: st.deferred,
    // CPU of this process: the submitting client, A, the DNS server, and B unless --split.
    // Its event loop is one thread, so this cannot go much above the wall time.
    processCpuSec: +((cpu.user + cpu.system) / 1e6).toFixed(2),
    cores: cpus().length,
    loadAvg1m: +(load[0] ?? 0).toFixed(2),
  }),
);
if (stored !== total) process.exitCode = 1;
