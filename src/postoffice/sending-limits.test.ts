// Sending limits over every door (stage sending-limits.ts), with real clients: alice may send 3
// messages an hour (freezeFactor 3). Three go out over SMTP submission (nodemailer, AUTH), the
// 4th gets 451 4.7.1, a JMAP EmailSubmission/set then gets forbiddenToSend (one count for both
// doors), the count survives a restart, and the 9th attempt within the hour freezes the account:
// her two messages for far.test (deferred by the remote's 451) are held in the queue, not sent
// even once the remote accepts, postmaster@a.test (the admin) gets a notice, `yubin user list`
// shows her frozen, and `yubin user unfreeze` releases the held mail, which is then delivered.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import nodemailer from "nodemailer";
import { inboxBodies, outboundConfig, sleep, waitFor } from "../outbound/test-helpers.js";
import { type Sink, startSink } from "../outbound/test-sink.js";
import { cliConfigFor } from "../testing/cli-config.js";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { type JmapSendResult, jmapSend, startJmapHttp } from "./test-jmap-send.js";

// The CLI reads its own config file (cli.toml: only the data directory), so its defaults are the
// [limits] defaults, not the test server's.
const bin = resolve(import.meta.dirname, "../../bin/yubin.js");

describe("sending limits: one count over SMTP and JMAP, and the freeze", () => {
  let dns: DnsServer;
  let sink: Sink;
  let ts: TestServer;
  let jmapHttp: Awaited<ReturnType<typeof startJmapHttp>>;
  let jmapBase: string;
  let accepting = false;
  /** While set, the remote holds its reply to the end of DATA until it resolves. */
  let gate: Promise<void> | null = null;

  before(async () => {
    dns = await startDnsServer([
      { name: "far.test", type: "MX", exchange: "mx.far.test", priority: 10 },
      { name: "mx.far.test", type: "A", value: "127.0.0.1" },
    ]);
    // The remote says "later" until the test lets it accept, so alice's mail waits in our queue.
    sink = await startSink({
      data: async () => {
        await gate;
        return accepting ? "250 2.0.0 ok" : "451 4.3.0 not now";
      },
    });
    ts = await startTestServer({
      domains: ["a.test"],
      users: [
        { address: "alice@a.test", password: testPassword },
        { address: "carol@a.test", password: testPassword },
        { address: "admin@a.test", password: testPassword, isAdmin: true },
      ],
      // A retry an hour away: after the remote's 451 the entries sit "deferred" until the freeze.
      config: {
        ...outboundConfig(dns, sink.port, { retryBaseMs: 3_600_000 }),
        limits: { messagesPerHour: 3, freezeFactor: 3 },
      },
    });
    jmapHttp = await startJmapHttp(() => ts.ctx);
    jmapBase = jmapHttp.base;
  });
  after(async () => {
    await jmapHttp?.close();
    await ts?.stop();
    await sink?.stop();
    await dns?.stop();
  });

  /** Submission (465, AUTH) as alice; "250" or the server's reply to the end of DATA. */
  async function smtp(subject: string, to = "bob@far.test", user = "alice@a.test"): Promise<string> {
    const t = nodemailer.createTransport({
      host: "127.0.0.1",
      port: ts.ports.submissions,
      secure: true,
      tls: { rejectUnauthorized: false },
      auth: { user, pass: testPassword },
    });
    try {
      await t.sendMail({ from: user, to, subject, text: `body of ${subject}` });
      return "250";
    } catch (e) {
      return (e as { response?: string }).response ?? String(e);
    } finally {
      t.close();
    }
  }

  /** JMAP Email/set + EmailSubmission/set as alice; the created submission or its SetError. */
  function jmap(subject: string): Promise<JmapSendResult> {
    const [address, password] = ["alice@a.test", testPassword];
    const accountId = ts.users[0]!.id;
    return jmapSend({
      base: jmapBase,
      store: ts.store,
      accountId,
      address,
      password,
      to: ["carol@a.test"],
      subject,
    });
  }

  function yubin(args: string[]) {
    const configPath = join(ts.dataDir, "cli.toml");
    writeFileSync(configPath, cliConfigFor(ts, `[server]\ndataDir = ${JSON.stringify(ts.dataDir)}\n`));
    const r = spawnSync(process.execPath, [bin, "--config", configPath, ...args], {
      encoding: "utf8",
      timeout: 60_000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  }

  const aliceQueue = async () =>
    (await ts.store.queue.listQueue()).filter((q) => q.accountId === ts.users[0]!.id);

  const limitReply = "451 4.7.1 Sending limit reached: 3 messages per hour; try again later";

  test("3 sent, then 451 4.7.1 over SMTP and forbiddenToSend over JMAP; the count survives a restart; a burst freezes", async () => {
    assert.equal(await smtp("m1"), "250");
    assert.equal(await smtp("m2"), "250");
    assert.equal(await smtp("m3", "carol@a.test"), "250", "local recipients count too");
    assert.equal(await smtp("m4"), limitReply);
    // RFC 8621 §7.5: forbiddenToSend, "does not have permission to send at all right now".
    const j = await jmap("m5");
    assert.equal(j.created, undefined);
    assert.equal(j.notCreated?.type, "forbiddenToSend");
    assert.match(
      j.notCreated?.description ?? "",
      /^Sending limit reached: 3 messages per hour; try again later$/,
    );
    assert.equal((await inboxBodies(ts, "carol@a.test")).length, 1, "only m3 reached carol");

    // Both remote messages were tried once and deferred by the remote's 451.
    await waitFor("m1 and m2 deferred", async () => {
      const q = await aliceQueue();
      return q.length === 2 && q.every((e) => e.state === "deferred");
    });
    assert.equal(sink.transactions.length, 2);

    await ts.restart();
    assert.equal(await smtp("m6"), limitReply, "the count is in the store: it survives a restart");
    assert.equal(await smtp("m7"), limitReply);
    assert.equal(await smtp("m8"), limitReply);
    assert.equal(await ts.store.sending.listFrozen().then((m) => m.size), 0, "8 attempts: not yet frozen");
    // The 9th attempt within the hour is freezeFactor (3) × messagesPerHour (3): a burst.
    assert.equal(await smtp("m9"), limitReply);
    assert.equal(
      await smtp("m10"),
      "451 4.7.1 Sending limit reached: sending suspended for this account (limit far exceeded); ask your administrator",
    );
    assert.equal((await jmap("m11")).notCreated?.type, "forbiddenToSend");

    const q = await aliceQueue();
    assert.deepEqual(
      q.map((e) => e.state),
      ["held", "held"],
    );
    const notice = await waitFor("the postmaster's notice", async () =>
      (await inboxBodies(ts, "admin@a.test"))
        .map((b) => b.toString("utf8"))
        .find((t) => t.includes("Subject: Outgoing mail frozen for alice@a.test")),
    );
    assert.match(notice, /yubin user unfreeze alice@a\.test/);
    const list = yubin(["user", "list", "a.test"]);
    assert.equal(list.code, 0, list.err);
    assert.match(list.out, /^alice@a\.test\t.*\tfrozen$/m);

    assert.match(yubin(["queue", "counts"]).out, /\nheld\t2\n/);
    assert.deepEqual(yubin(["queue", "retry", String(q[0]!.id)]), {
      code: 1,
      out: "",
      err: `yubin: queue entry ${q[0]!.id} is held: its account is frozen (yubin user unfreeze)\n`,
    });
    // Held means not sent, even once the remote would accept.
    accepting = true;
    await sleep(500);
    assert.equal(sink.transactions.length, 2);

    const unfreeze = yubin(["user", "unfreeze", "alice@a.test"]);
    assert.deepEqual(unfreeze, {
      code: 0,
      out: "unfroze alice@a.test; 2 held message(s) released for delivery\n",
      err: "",
    });
    await waitFor("the held mail delivered", async () => (await aliceQueue()).length === 0, 20_000);
    const delivered = sink.transactions.filter((t) => t.reply.startsWith("250"));
    assert.equal(delivered.length, 2);
    assert.match(yubin(["user", "show", "alice@a.test"]).out, /\nsending: allowed\n/);
    assert.equal(await smtp("m12"), "250", "a fresh start after unfreeze");
  });

  test("yubin user limits sets and clears an account's own limit", async () => {
    const set = yubin([
      "user",
      "limits",
      "carol@a.test",
      "--messages-per-hour",
      "50",
      "--recipients-per-day",
      "0",
    ]);
    assert.equal(set.code, 0, set.err);
    assert.equal(
      set.out,
      "messages-per-hour: 50\nmessages-per-day: 1000 (default)\nrecipients-per-hour: 500 (default)\nrecipients-per-day: unlimited\nsending: allowed\n",
    );
    const cleared = yubin(["user", "limits", "carol@a.test", "--messages-per-hour", "default"]);
    assert.match(cleared.out, /^messages-per-hour: 200 \(default\)$/m);
    assert.equal(yubin(["user", "limits", "carol@a.test", "--messages-per-hour", "-3"]).code, 2);
  });

  test("an account frozen while its message is being sent: a temporary failure holds it, not defers it", async () => {
    const carol = ts.users[1]!.id;
    let open = () => {};
    gate = new Promise<void>((r) => {
      open = r;
    });
    accepting = false;
    assert.equal(await smtp("c1", "bob@far.test", "carol@a.test"), "250");
    const entry = await waitFor("carol's message being sent", async () =>
      (await ts.store.queue.listQueue({ state: "sending" })).find((q) => q.accountId === carol),
    );
    const now = new Date();
    await ts.store.sending.freezeSending(carol, {
      now,
      reason: "test",
      holdSince: new Date(now.getTime() - 3_600_000),
    });
    open();
    gate = null;
    await waitFor(
      "the attempt settled",
      async () => (await ts.store.queue.getQueued(entry.id))?.state !== "sending",
    );
    assert.equal((await ts.store.queue.getQueued(entry.id))?.state, "held");
    await ts.store.sending.unfreezeSending(carol, new Date());
    await ts.store.queue.removeQueued(entry.id);
  });
});
