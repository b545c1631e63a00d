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
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import nodemailer from "nodemailer";
import { createDnsResolver } from "../src/dns/resolver.js";
import { silentLogger } from "../src/log/logger.js";
import { createQueueRunner } from "../src/outbound/runner.js";
import { startDnsServer, type ZoneRecord } from "../src/testing/dns-server.js";
import { startTestServer, testPassword } from "../src/testing/harness.js";

const { values: opt } = parseArgs({
  options: {
    messages: { type: "string", default: "5000" },
    recipients: { type: "string", default: "100" },
    domains: { type: "string", default: "10" },
    concurrency: { type: "string", default: "10" },
    connections: { type: "string", default: "10" },
    size: { type: "string", default: "2048" },
    // Submit everything first, then start A's queue runner: the two rates apart.
    sequential: { type: "boolean", default: false },
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

const dns = await startDnsServer(zone);
const b = await startTestServer({ domains, users: [] });
for (const r of recipients) await b.store.directory.createAccount({ address: r, passwordHash: "x" });
const a = await startTestServer({
  domains: ["a.bench.test"],
  users: [{ address: "alice@a.bench.test", password: testPassword }],
  config: { dns: { servers: dns.servers } },
});
// A's runner, built here (not by the app) so its connection count can be read.
const runner = createQueueRunner({
  store: a.store,
  config: {
    ...a.config,
    outbound: {
      ...a.config.outbound,
      enabled: true,
      port: b.ports.smtp,
      pollIntervalMs: 20,
      mtaSts: false,
      maxConnections: connections,
      retryBaseMs: 1000,
    },
  },
  log: silentLogger,
  resolver: createDnsResolver({ servers: dns.servers }),
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
let stored = 0;
for (const r of recipients) {
  const acct = await b.store.directory.getAccountByAddress(r);
  const box = await b.store.mail.getMailbox(acct!.id, "INBOX");
  stored += (await b.store.mail.mailboxCounts(box!.id)).messages;
}
transport.close();
await runner.stop();
await a.stop();
await b.stop();
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
    submittedInSec: +((tSubmitted - t0) / 1000).toFixed(2),
    submitPerSec: +(total / ((tSubmitted - t0) / 1000)).toFixed(1),
    deliveredInSec: +((t1 - tSubmitted) / 1000).toFixed(2),
    endToEndSec: +secs.toFixed(2),
    messagesPerSec: +(total / secs).toFixed(1),
    storedInB: stored,
    smtpConnectionsOpened: st.connectionsOpened,
    deliveryAttempts: st.attempts,
    deferred: st.deferred,
    // Everything (client, A, B, DNS) is one Node process: one core at most for all of it.
    processCpuSec: +((cpu.user + cpu.system) / 1e6).toFixed(2),
    cores: cpus().length,
    loadAvg1m: +(load[0] ?? 0).toFixed(2),
  }),
);
if (stored !== total) process.exitCode = 1;
