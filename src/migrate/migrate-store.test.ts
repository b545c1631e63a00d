// `yubin migrate-store` as a user runs it (a real process, real PostgreSQL): an embedded store
// filled through the Store interface is copied and verified; the PostgreSQL store then serves the
// same ids, UIDs, MODSEQs, flags, threads, change-log states and bodies; a damaged copy fails
// --verify-only naming what differs; a non-empty target and a running server are refused.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import pg from "pg";
import { runCommand, YUBIN_BIN } from "../cli/test-cli.js";
import { COPIED_TABLES } from "../store/migrate-tables.js";
import { LocalNotifier } from "../store/notifier.js";
import { openPostgresStore } from "../store/postgres/index.js";
import { openSqliteStore } from "../store/sqlite/index.js";
import type { Store } from "../store/types.js";
import { freshSchema, postgresSkip } from "../testing/postgres.js";

const skip = postgresSkip();
const dir = mkdtempSync(join(tmpdir(), "yubin-migrate-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const yubin = (config: string, args: string[]) =>
  runCommand(process.execPath, [YUBIN_BIN, "--config", config, ...args], { timeoutMs: 120_000 });

/** Everything a client could have saved about the store: compared before and after. */
async function snapshot(store: Store) {
  const out: unknown[] = [];
  for (const a of await store.directory.listAccounts()) {
    out.push({ account: a.id, address: a.address, quota: await store.mail.quotaUsage(a.id) });
    for (const m of await store.mail.listMailboxes(a.id)) {
      const { createdAt: _c, ...box } = m;
      out.push(box);
      out.push({ changes: await store.mail.changesSince(m.id, 0) });
      for (const msg of await store.mail.listMessages(m.id))
        out.push({
          ...msg,
          flags: [...msg.flags].sort(),
          body: (await store.mail.readBody(msg.blobId)).toString("base64"),
        });
    }
    out.push({ states: await store.mail.changeState(a.id) });
    for (const type of ["email", "mailbox", "thread", "identity", "sieveScript"] as const)
      out.push({ [type]: await store.mail.objectChangesSince(a.id, type, 0, 1000) });
    out.push({ sieve: (await store.sieve.list(a.id)).map((s) => ({ ...s })) });
    out.push({ appPasswords: await store.appPasswords.list(a.id) });
    out.push({ identities: await store.settings.listIdentities(a.id) });
    out.push({ dangling: await store.mail.listDanglingSubscriptions(a.id) });
  }
  out.push({ queue: await store.queue.listQueue() });
  // The other services, through their own interfaces (row counts of every table: migrate-store.ts).
  const hashes = [1, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER];
  for (const acc of await store.directory.listAccounts()) {
    out.push({ vacation: await store.settings.getVacation(acc.id) });
    out.push({ prefs: await store.spam.getSpamPrefs(acc.id) });
    out.push({ trained: await store.spam.trainedAs(acc.id, "k1") });
    out.push({ tokens: [...(await store.spam.tokenCounts(acc.id, hashes))] });
  }
  out.push({
    tokens0: [...(await store.spam.tokenCounts(0, hashes))],
    totals: await store.spam.modelTotals(0),
  });
  out.push({ verdicts: await store.spam.recentVerdicts(10), models: await store.spam.modelStats() });
  out.push({ session: await store.webSessions.get("web", "tokhash", new Date(1_800_000_000_000)) });
  out.push({ series: await store.statistics.series(["smtp.in"], 0, 10_000_000) });
  return JSON.parse(JSON.stringify(out)) as unknown;
}

describe("yubin migrate-store", { skip }, () => {
  test("copies an embedded store into PostgreSQL: same ids, UIDs, MODSEQs, flags, bodies, states", async () => {
    const data = join(dir, "data");
    const config = join(dir, "yubin.toml");
    writeFileSync(
      config,
      `[server]\nhostname = "mail.a.test"\ndataDir = "${data}"\n[storage]\ninlineMaxBytes = 4096\n`,
    );
    const src = await openSqliteStore({ dataDir: data, notifier: new LocalNotifier(), inlineMaxBytes: 4096 });
    await src.directory.addDomain("a.test");
    const gone = await src.directory.createAccount({ address: "gone@a.test", passwordHash: "h0" });
    const a = await src.directory.createAccount({
      address: "u@a.test",
      passwordHash: "h1",
      quotaBytes: 1 << 30,
    });
    const b = await src.directory.createAccount({ address: "v@a.test", passwordHash: "h2", isAdmin: true });
    // A removed account: its id is never given again (SQLite AUTOINCREMENT → the identity sequence).
    await src.directory.removeAccount(gone.id);
    const small = Buffer.from("Subject: small\r\nMessage-ID: <s@a.test>\r\n\r\nsmall body\r\n");
    // Over the inline limit (a file under dataDir/blobs) and over PostgreSQL's 1 MiB chunk.
    const big = Buffer.concat([
      Buffer.from("Subject: big\r\nMessage-ID: <b@a.test>\r\n\r\n"),
      Buffer.from(`${"0123456789abcdef".repeat(4)}\r\n`.repeat(40_000)),
    ]);
    const reply = Buffer.from("Subject: Re: small\r\nIn-Reply-To: <s@a.test>\r\n\r\nreply\r\n");
    await src.mail.deliver(small, [{ accountId: a.id }, { accountId: b.id }]);
    await src.mail.deliver(big, [{ accountId: a.id }]);
    await src.mail.deliver(reply, [{ accountId: a.id }]);
    for (let i = 0; i < 5; i++)
      await src.mail.deliver(Buffer.from(`Subject: n${i}\r\n\r\n${i}\r\n`), [{ accountId: a.id }]);
    const inbox = (await src.mail.getMailbox(a.id, "INBOX"))!;
    await src.mail.setFlags(inbox.id, [1, 3], { mode: "add", flags: ["\\Seen", "$Important"] });
    await src.mail.setFlags(inbox.id, [4], { mode: "add", flags: ["\\Deleted"] });
    await src.mail.expunge(inbox.id, [4]);
    const folder = await src.mail.createMailbox(a.id, "Projects");
    await src.mail.renameMailbox(folder.id, "Archive/2026");
    await src.mail.copy(inbox.id, [1, 2], folder.id);
    const doomed = await src.mail.createMailbox(a.id, "Doomed");
    await src.mail.deleteMailbox(doomed.id);
    await src.sieve.put(a.id, "main", 'require "fileinto";\r\nfileinto "Archive/2026";\r\n', {
      maxScripts: 5,
      maxTotalBytes: 100_000,
    });
    await src.sieve.setActive(a.id, "main");
    await src.appPasswords.create({
      accountId: a.id,
      name: "phone",
      scopes: ["imap", "smtp"],
      hash: "apphash",
      createdAt: new Date(1_700_000_000_000),
      maxPerAccount: 10,
    });
    await src.queue.enqueue({
      body: big,
      mailFrom: "u@a.test",
      recipients: [{ address: "x@remote.test" }],
      accountId: a.id,
    });
    // Services' tables: booleans, JSON lists as arrays, 64-bit token hashes, UTF-8 as octets.
    const hashes = [1, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER];
    await src.spam.train({ accountId: a.id, key: "k1", as: "spam", hashes, scopes: [0, a.id] });
    await src.spam.setSpamPrefs(a.id, {
      allow: ["x@y.test", "@z.test"],
      block: ["@spam.test"],
      fileIntoJunk: false,
    });
    await src.spam.recordVerdict(
      {
        at: new Date(1_700_000_000_000),
        messageId: "ABC",
        door: "inbound",
        mailFrom: "s@z.test",
        recipient: "u@a.test",
        recipients: 1,
        score: 2.5,
        action: "deliver",
        reasons: "X=1",
      },
      100,
    );
    await src.settings.setVacation(a.id, {
      isEnabled: true,
      fromDate: null,
      toDate: null,
      subject: "Away – ä",
      textBody: "back soon",
      htmlBody: null,
    });
    await src.greylist.check(
      { network: "192.0.2.0/24", sender: "s@z.test", recipient: "u@a.test" },
      new Date(),
      {
        delaySec: 60,
        retryWindowSec: 3600,
        passedTtlSec: 86400,
        autoAllowAfter: 5,
      },
    );
    await src.webSessions.create(
      {
        kind: "web",
        tokenHash: "tokhash",
        accountId: a.id,
        credentialStamp: "st",
        ip: "192.0.2.1",
        createdAt: new Date(1_700_000_000_000),
        lastSeenAt: new Date(1_700_000_000_000),
        expiresAt: new Date(1_900_000_000_000),
        idleMs: 1e12,
      },
      { maxPerAccount: 10, maxTotal: 100 },
    );
    await src.statistics.add([{ name: "smtp.in", hour: 480_000, n: 3 }]);
    await src.sending.recordSend(a.id, {
      now: new Date(),
      recipients: 2,
      limits: { messagesPerHour: 100, messagesPerDay: 1000, recipientsPerHour: 100, recipientsPerDay: 1000 },
    });
    const before = await snapshot(src);
    await src.close();

    const target = await freshSchema();
    try {
      const r = await yubin(config, ["migrate-store", "--to", target.url]);
      assert.equal(r.err, "", r.err);
      assert.equal(r.code, 0);
      assert.match(r.out, /^messages: 10 rows$/m);
      assert.match(r.out, /^verified: 2 accounts, \d+ mailboxes, 10 messages, \d+ bodies identical$/m);

      const to = await openPostgresStore({
        url: target.url,
        notifier: new LocalNotifier(),
        fullTextIndexer: false,
      });
      try {
        assert.deepEqual(await snapshot(to), before);
        // New ids continue past the old ones (and past the removed account's).
        const c = await to.directory.createAccount({ address: "w@a.test", passwordHash: "h3" });
        assert.equal(c.id, b.id + 1);
        const copy = await to.mail.deliver(small, [{ accountId: a.id }]);
        assert.equal(copy[0]!.uid, inbox.uidNext);
      } finally {
        await to.close();
      }

      // A second run into the same database is refused.
      const again = await yubin(config, ["migrate-store", "--to", target.url]);
      assert.equal(again.code, 1);
      assert.match(again.err, /not empty/);
    } finally {
      await target.drop();
    }
  });

  test("--verify-only names what differs in a damaged copy; a running server is refused", async () => {
    const data = join(dir, "data2");
    const config = join(dir, "yubin2.toml");
    writeFileSync(config, `[server]\nhostname = "mail.a.test"\ndataDir = "${data}"\n`);
    const src = await openSqliteStore({ dataDir: data, notifier: new LocalNotifier() });
    await src.directory.addDomain("a.test");
    const a = await src.directory.createAccount({ address: "u@a.test", passwordHash: "h1" });
    for (let i = 0; i < 3; i++)
      await src.mail.deliver(Buffer.from(`Subject: ${i}\r\n\r\n${i}\r\n`), [{ accountId: a.id }]);
    const target = await freshSchema();
    try {
      // The store is open in this process: as a running server, it owns the data directory.
      const busy = await yubin(config, ["migrate-store", "--to", target.url]);
      assert.equal(busy.code, 1);
      assert.match(busy.err, new RegExp(`a server \\(pid ${process.pid}\\) is using`));
      await src.close();

      const r = await yubin(config, ["migrate-store", "--to", target.url]);
      assert.equal(r.code, 0, r.err);
      const ok = await yubin(config, ["migrate-store", "--to", target.url, "--verify-only"]);
      assert.equal(ok.code, 0, ok.err);
      assert.match(ok.out, /verified: 1 accounts, \d+ mailboxes, 3 messages, 3 bodies identical/);

      const c = new pg.Client({ connectionString: target.url });
      await c.connect();
      try {
        // As if the copy had stopped before the messages' table and the bodies: --resume completes it.
        await c.query("TRUNCATE messages, blob_chunks");
        const half = await yubin(config, ["migrate-store", "--to", target.url, "--verify-only"]);
        assert.equal(half.code, 1);
        assert.match(half.err, /differs: table messages: 3 rows in SQLite, 0 in PostgreSQL/);
        const resumed = await yubin(config, ["migrate-store", "--to", target.url, "--resume"]);
        assert.equal(resumed.code, 0, resumed.err);
        assert.match(resumed.out, /^accounts: 1 rows already copied$/m);
        assert.match(resumed.out, /^messages: 3 rows$/m);
        assert.match(resumed.out, /verified: 1 accounts, \d+ mailboxes, 3 messages, 3 bodies identical/);
        await c.query("UPDATE messages SET modseq = modseq + 100 WHERE uid = 2");
        await c.query(
          "UPDATE blob_chunks SET data = 'X'::bytea WHERE blob_id = (SELECT blob_id FROM messages WHERE uid = 3)",
        );
      } finally {
        await c.end();
      }
      const bad = await yubin(config, ["migrate-store", "--to", target.url, "--verify-only"]);
      assert.equal(bad.code, 1);
      const line = bad.err.split("\n").find((l) => l.startsWith('differs: u@a.test mailbox "INBOX" UID 2: '));
      assert.ok(line, bad.err);
      const [was, now] = line
        .split(" vs ")
        .map((j) => (JSON.parse(j.slice(j.indexOf("{"))) as { modseq: number }).modseq);
      assert.equal(now, was! + 100);
      assert.match(bad.err, /differs: body [0-9a-f]{64}: PostgreSQL holds octets whose SHA-256 is/);
      assert.match(bad.err, /verification failed: 2 differences/);
    } finally {
      await target.drop();
    }
  });

  test("a PostgreSQL user that is not a superuser is told why it cannot copy", async () => {
    const data = join(dir, "data3");
    const config = join(dir, "yubin3.toml");
    writeFileSync(config, `[server]\nhostname = "mail.a.test"\ndataDir = "${data}"\n`);
    const src = await openSqliteStore({ dataDir: data, notifier: new LocalNotifier() });
    await src.directory.addDomain("a.test");
    await src.close();
    const target = await freshSchema();
    const role = `${target.schema}_plain`;
    const c = new pg.Client({ connectionString: target.url });
    await c.connect();
    try {
      await c.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER`);
      await c.query(`GRANT ALL ON SCHEMA ${target.schema} TO ${role}`);
      const url = target.url.replace("postgres://postgres@", `postgres://${role}@`);
      const r = await yubin(config, ["migrate-store", "--to", url]);
      assert.equal(r.code, 1);
      assert.match(r.err, /may not SET session_replication_role = replica, which the copy needs/);
      // Refused before anything was created in the target.
      assert.deepEqual(
        (
          await c.query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1", [
            target.schema,
          ])
        ).rows,
        [],
      );
    } finally {
      await target.drop();
      await c.query(`DROP OWNED BY ${role}`).catch(() => {});
      await c.query(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
      await c.end();
    }
  });

  test("every copied table names its columns once", () => {
    for (const t of COPIED_TABLES) assert.equal(new Set(t.columns).size, t.columns.length, t.name);
  });
});
