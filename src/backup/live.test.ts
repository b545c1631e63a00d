// A backup while the server keeps serving: SMTP deliveries go on (bounded loop) and older mail is
// expunged meanwhile (so body files are unlinked between the pre-link and the snapshot); every
// backup is complete (each message of its snapshot has its body: the restore checks every hash),
// and no delivery waits long. The longest delivery and the longest wait for SQLite's write lock
// (probeWritePauses) are printed; the bound asserted is generous (a shared, noisy machine).
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import nodemailer from "nodemailer";
import { probeWritePauses } from "../store/sqlite/backup.js";
import { startTestServer, type TestServer } from "../testing/harness.js";
import { backupInstallation } from "./backup.js";
import { restoreInstallation } from "./restore.js";

const PRELOAD = 300;
const MAX_SENT = 2000;
const MAX_LOOP_MS = 90_000;
const BACKUPS = 3;

// SQLite's live backup (VACUUM INTO beside the writers); PostgreSQL's runs beside the server in
// postgres.test.ts.
const skip =
  process.env.YUBIN_TEST_BACKEND === "postgres"
    ? "the SQLite store's backup (postgres.test.ts is PostgreSQL's)"
    : false;

describe("backup while the server serves", { skip }, () => {
  let server: TestServer;
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), "yubin-backup-live-"));
    // Every body a file: the race between the server unlinking and the backup linking is real.
    server = await startTestServer({ config: { storage: { inlineMaxBytes: 0 } } });
    const alice = server.users[0]!.id;
    for (let n = 0; n < PRELOAD; n++)
      await server.store.mail.deliver(Buffer.from(`Subject: old ${n}\r\n\r\n${"z".repeat(500)} ${n}\r\n`), [
        { accountId: alice },
      ]);
  });
  after(async () => {
    await server?.stop();
    await rm(work, { recursive: true, force: true });
  });

  test("every backup is complete and deliveries never stall long", async () => {
    const alice = server.users[0]!.id;
    const inbox = (await server.store.mail.getMailbox(alice, "INBOX"))!;
    const tr = nodemailer.createTransport({
      host: "127.0.0.1",
      port: server.ports.smtp,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: 2,
    });
    const probe = probeWritePauses(server.dataDir);
    let done = false;
    let sent = 0;
    let slowest = 0;
    const deadline = Date.now() + MAX_LOOP_MS;
    const sender = async (k: number) => {
      while (!done && sent < MAX_SENT && Date.now() < deadline) {
        const n = sent++;
        const t0 = performance.now();
        await tr.sendMail({
          envelope: { from: "s@elsewhere.example", to: ["alice@example.test"] },
          raw: `From: s@elsewhere.example\r\nSubject: live ${k}-${n}\r\n\r\nnew body ${n}\r\n`,
        });
        slowest = Math.max(slowest, performance.now() - t0);
      }
    };
    let expunged = 0;
    const expunger = async () => {
      let uid = 1;
      while (!done && Date.now() < deadline && uid <= PRELOAD) {
        expunged += (await server.store.mail.expunge(inbox.id, [uid++, uid++])).length;
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const loops = Promise.all([sender(0), sender(1), expunger()]);
    const dest = join(work, "b");
    const summaries = [];
    try {
      for (let i = 0; i < BACKUPS; i++)
        summaries.push(await backupInstallation({ dataDir: server.dataDir, dest }));
    } finally {
      done = true;
      await loops;
      tr.close();
    }
    const pauses = await probe.stop();
    const ms = summaries.map((s) => Math.round(s.ms));
    console.log(
      `# ${BACKUPS} backups in ${ms.join(", ")} ms during ${sent} deliveries and ${expunged} expunges: ` +
        `slowest delivery ${slowest.toFixed(0)} ms, longest write-lock wait ${pauses.maxMs.toFixed(1)} ms ` +
        `(p99 ${pauses.p99Ms.toFixed(1)} ms, ${pauses.samples} probes), snapshot attempts ${summaries.map((s) => s.database.attempts).join(", ")}`,
    );
    for (const s of summaries) assert.deepEqual(s.missingBodies, []);
    assert.ok(sent > 0 && expunged > 0);
    // A backup that held the write lock (or the event loop) would stall a delivery for about as
    // long as it ran. 2 s, or half the longest backup when a loaded machine made them slower:
    // one loaded CI run saw a 956 ms delivery beside backups of 1.3-3.1 s, half the fixed bound.
    const bound = Math.max(2000, Math.max(...ms) / 2);
    assert.ok(
      slowest < bound,
      `a delivery took ${slowest.toFixed(0)} ms during a backup (bound ${bound} ms)`,
    );
    assert.ok(
      pauses.maxMs < bound,
      `a writer waited ${pauses.maxMs.toFixed(0)} ms for the lock (bound ${bound} ms)`,
    );

    // The last backup restores with every body present and matching its hash.
    const last = summaries.at(-1)!;
    const r = await restoreInstallation({ from: dest, dataDir: join(work, "restored") });
    assert.deepEqual(r.warnings, []);
    assert.equal(r.manifest.counts.messages, last.counts.messages);
    assert.equal(r.bodies.total, last.bodies.total);
  });
});
