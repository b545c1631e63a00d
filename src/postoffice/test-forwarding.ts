// Tests: a small Internet for forwarding. A (mail.a.test, domain a.test) forwards; B (mx.b.test)
// hosts b.test and also ext.test, the domain of the outside sender dave@ext.test, whose
// messages are DKIM-signed with ext.test's keys (kept apart from B's) and sent to A's port 25
// with swaks. A's delivery engine reaches B's port 25 for every domain's MX. DNS (one test
// server): a.test and ext.test as `yubin domain dns` recommends (SPF allows 127.0.0.1),
// mail.a.test (the default SRS domain, server.hostname) with its SPF record from the same list.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { algorithmsOf, ensureDkimKeys, loadDkimKeys } from "../mailauth/keys.js";
import { dnsRecordsFor } from "../mailauth/records.js";
import { createDkimSigner } from "../mailauth/sign.js";
import { zoneOf } from "../mailauth/test-zone.js";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import type { Filter } from "./types.js";

export interface ForwardingNet {
  dns: DnsServer;
  A: TestServer;
  B: TestServer;
  /** dave@ext.test's message, DKIM-signed by ext.test. */
  signExt(raw: string): Promise<string>;
  /** dave@ext.test's signed message (message()) sent to A's port 25 with swaks (the envelope
   *  sender `from`, dave's by default); throws with swaks' transcript if it was not accepted. */
  sendExt(o: { to: string; subject: string; from?: string; extra?: string[] }): Promise<void>;
  stop(): Promise<void>;
}

export const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startForwardingNet(opts: {
  aUsers: string[];
  aConfig?: Record<string, Record<string, unknown>>;
  /** B's users besides bob@b.test and dave@ext.test. */
  bUsers?: string[];
  /** B forwards too: its delivery engine reaches A's port 25, b.test has DKIM keys and records. */
  bSends?: boolean;
  /** A's post-office filters. */
  aFilters?: readonly Filter[];
}): Promise<ForwardingNet> {
  const dns = await startDnsServer();
  const dnsConfig = { servers: dns.servers, timeoutMs: 3000, tries: 2 };
  const dnsbl = { fcrdnsWeight: 0 }; // no PTR for 127.0.0.1 in the zone: no screen field
  const B = await startTestServer({
    domains: ["b.test", "ext.test"],
    users: ["bob@b.test", "dave@ext.test", ...(opts.bUsers ?? [])].map((address) => ({
      address,
      password: testPassword,
    })),
    config: {
      server: { hostname: "mx.b.test" },
      dns: dnsConfig,
      dnsbl,
      mailauth: { verifyInbound: true, recordSpfIps: ["127.0.0.1"] },
      // The port is A's, set once A listens (the engine reads it per delivery).
      ...(opts.bSends
        ? { outbound: { enabled: true, port: 1, pollIntervalMs: 5000, sourceAddress: "127.0.0.1" } }
        : {}),
    },
  });
  const A = await startTestServer({
    domains: ["a.test"],
    filters: opts.aFilters ?? [],
    users: opts.aUsers.map((address) => ({ address, password: testPassword })),
    config: {
      ...opts.aConfig,
      server: { hostname: "mail.a.test" },
      dns: dnsConfig,
      dnsbl,
      mailauth: { recordSpfIps: ["127.0.0.1"], verifyInbound: true },
      outbound: { enabled: true, port: B.ports.smtp, pollIntervalMs: 5000, sourceAddress: "127.0.0.1" },
    },
  });
  if (opts.bSends) (B.config.outbound as { port: number }).port = A.ports.smtp;
  const algorithms = algorithmsOf("ed25519+rsa");
  await ensureDkimKeys(A.dataDir, "a.test", { algorithms, rsaBits: 2048 });
  if (opts.bSends) await ensureDkimKeys(B.dataDir, "b.test", { algorithms, rsaBits: 2048 });
  const keyDir = await mkdtemp(join(tmpdir(), "yubin-forwarding-"));
  await ensureDkimKeys(keyDir, "ext.test", { algorithms, rsaBits: 2048 });
  dns.set([
    ...zoneOf("a.test", dnsRecordsFor("a.test", A.config, await loadDkimKeys(A.dataDir, "a.test")), "reject"),
    ...zoneOf(
      "ext.test",
      dnsRecordsFor("ext.test", A.config, await loadDkimKeys(keyDir, "ext.test")),
      "reject",
    ).filter(
      (r) => r.type !== "MX" && !r.name.endsWith("a.test"), // A's own host records come with a.test's
    ),
    { name: "ext.test", type: "MX", exchange: "mx.b.test", priority: 10 },
    { name: "b.test", type: "MX", exchange: "mx.b.test", priority: 10 },
    ...(opts.bSends
      ? zoneOf(
          "b.test",
          dnsRecordsFor("b.test", B.config, await loadDkimKeys(B.dataDir, "b.test")),
          "none",
        ).filter((r) => r.type !== "MX")
      : []),
    { name: "mx.b.test", type: "A", value: "127.0.0.1" },
  ]);
  const signer = createDkimSigner({ dataDir: keyDir, algorithms });
  const signExt = async (raw: string) => (await signer.sign(Buffer.from(raw))).toString("utf8");
  return {
    dns,
    A,
    B,
    signExt,
    async sendExt({ to, subject, from = "dave@ext.test", extra }) {
      const data = await signExt(
        message({ from: "Dave <dave@ext.test>", to, subject, ...(extra ? { extra } : {}) }),
      );
      const r = await swaks(A.ports.smtp, { from, to, data });
      if (r.code !== 0) throw new Error(`swaks exited with ${r.code}:\n${r.out}`);
    },
    async stop() {
      await Promise.all([A.stop(), B.stop()]);
      await dns.stop();
      await rm(keyDir, { recursive: true, force: true });
    },
  };
}

/** Stores `content` as the account's script "rules" and makes it the active one. */
export async function activeScript(ts: TestServer, address: string, content: string): Promise<void> {
  const id = ts.users.find((u) => u.address === address)!.id;
  await ts.store.sieve.put(id, "rules", content, { maxScripts: 10, maxTotalBytes: 1 << 20 });
  await ts.store.sieve.setActive(id, "rules");
}

export function message(o: { from: string; to: string; subject: string; extra?: string[] }): string {
  return [
    `From: ${o.from}`,
    `To: ${o.to}`,
    `Subject: ${o.subject}`,
    "Date: Sun, 06 Dec 2026 10:00:00 +0000",
    `Message-ID: <${o.subject}@forwarding.test>`,
    ...(o.extra ?? []),
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=us-ascii",
    "",
    `Body of ${o.subject}.`,
    "",
  ].join("\r\n");
}

/** swaks to 127.0.0.1:port; its exit code and transcript. */
export function swaks(
  port: number,
  o: { from: string; to: string; data: string },
): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      "swaks",
      [
        "--server",
        "127.0.0.1",
        "--port",
        String(port),
        "--helo",
        "mx.ext.test",
        "--from",
        o.from === "" ? "<>" : o.from,
        "--to",
        o.to,
        "--data",
        "-",
        "--timeout",
        "30",
      ],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
    let out = "";
    p.stdout.on("data", (d) => {
      out += d;
    });
    p.stderr.on("data", (d) => {
      out += d;
    });
    const timer = setTimeout(() => p.kill(), 60_000);
    p.on("error", reject);
    p.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out });
    });
    p.stdin.end(o.data.replace(/\r\n/g, "\n"));
  });
}

/** The messages in an account's mailbox (default INBOX) whose header contains `needle`. */
export async function copies(
  ts: TestServer,
  address: string,
  needle: string,
  mailbox = "INBOX",
): Promise<string[]> {
  const id = ts.users.find((u) => u.address === address)!.id;
  const box = await ts.store.mail.getMailbox(id, mailbox);
  if (!box) return [];
  const out: string[] = [];
  for (const m of await ts.store.mail.listMessages(box.id)) {
    const text = (await ts.store.mail.readBody(m.blobId)).toString("utf8");
    if (headerOf(text).includes(needle)) out.push(text);
  }
  return out;
}

/** Waits (bounded: 30 s, the machine may be busy) until `n` copies are there, then a little
 *  longer to see no more come. */
export async function arrived(ts: TestServer, address: string, needle: string, n = 1): Promise<string[]> {
  for (let i = 0; i < 1500 && (await copies(ts, address, needle)).length < n; i++) await wait(20);
  await wait(150);
  return copies(ts, address, needle);
}

export function headerOf(text: string): string {
  const end = text.indexOf("\r\n\r\n");
  return end < 0 ? text : text.slice(0, end + 2);
}

/** The header's fields, folded lines kept together. */
export function fields(text: string): string[] {
  return headerOf(text)
    .split(/\r\n(?![ \t])/)
    .filter((f) => f !== "");
}

/** Waits until A's queue is empty (bounded), for "nothing more will come". */
export async function queueEmpties(A: TestServer): Promise<void> {
  for (let i = 0; i < 1500 && (await A.store.queue.listQueue()).length > 0; i++) await wait(20);
}
