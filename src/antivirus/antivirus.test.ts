// End to end, through a real clamd (Debian's clamav-daemon) with our one-signature database:
// EICAR over port 25 → 554 5.7.1 naming the virus at the end of DATA, nothing filed or queued (no
// bounce); over authenticated submission and JMAP it is refused too; clean mail is filed; with
// clamd gone and onError = tempfail (the default) → 451 4.3.0, nothing filed.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import nodemailer from "nodemailer";
import { jmapSend, startJmapHttp } from "../postoffice/test-jmap-send.js";
import { RawSmtpClient } from "../smtp/test-client.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { commandSkip } from "../testing/requires.js";
import { eicar, eicarName, startTestClamd, type TestClamd } from "./test-clamd.js";

const skip = commandSkip("clamd", "clamav-daemon");

function message(subject: string, content: string): string {
  return `From: <dave@remote.test>\r\nTo: <carol@example.test>\r\nSubject: ${subject}\r\nMessage-ID: <${subject}@antivirus.test>\r\n\r\n${content}\r\n`;
}

describe("antivirus filter, end to end with clamd", { skip }, () => {
  let clamd: TestClamd;
  let ts: TestServer;
  let jmapHttp: Awaited<ReturnType<typeof startJmapHttp>>;
  let jmapBase: string;

  before(async () => {
    clamd = await startTestClamd();
    ts = await startTestServer({
      users: [
        { address: "alice@example.test", password: testPassword },
        { address: "carol@example.test", password: testPassword },
      ],
      config: { antivirus: { clamd: clamd.socket, timeoutMs: 20_000 } },
    });
    jmapHttp = await startJmapHttp(() => ts.ctx);
    jmapBase = jmapHttp.base;
  });
  after(async () => {
    await jmapHttp?.close();
    await ts?.stop();
    await clamd?.stop();
  });

  async function carolHas(subject: string): Promise<number> {
    let n = 0;
    for (const box of await ts.store.mail.listMailboxes(ts.users[1]!.id))
      for (const m of await ts.store.mail.listMessages(box.id))
        if ((await ts.store.mail.readBody(m.blobId)).toString("utf8").includes(`Subject: ${subject}\r\n`))
          n++;
    return n;
  }

  /** Port 25, raw: the reply to the end of DATA. */
  async function inbound(subject: string, content: string): Promise<string> {
    const c = await RawSmtpClient.connect({ port: ts.ports.smtp });
    try {
      await c.reply();
      await c.cmd("EHLO client.remote.test");
      assert.match(await c.cmd("MAIL FROM:<dave@remote.test>"), /^250/);
      assert.match(await c.cmd("RCPT TO:<carol@example.test>"), /^250/);
      assert.match(await c.cmd("DATA"), /^354/);
      c.send(`${message(subject, content)}.\r\n`);
      return await c.reply();
    } finally {
      await c.cmd("QUIT").catch(() => "");
    }
  }

  test("EICAR on port 25: 554 5.7.1 naming the virus, nothing filed, nothing queued", async () => {
    assert.equal(
      await inbound("virus-inbound", `see attached\r\n${eicar}`),
      `554 5.7.1 Message refused: virus found (${eicarName})`,
    );
    assert.equal(await carolHas("virus-inbound"), 0);
    assert.deepEqual(await ts.store.queue.listQueue(), []);
  });

  test("a clean message on port 25: 250 and filed", async () => {
    assert.match(await inbound("clean-inbound", "just text"), /^250 /);
    assert.equal(await carolHas("clean-inbound"), 1);
  });

  test("EICAR over authenticated submission and over JMAP: refused too", async () => {
    const t = nodemailer.createTransport({
      host: "127.0.0.1",
      port: ts.ports.submissions,
      secure: true,
      tls: { rejectUnauthorized: false },
      auth: { user: "alice@example.test", pass: testPassword },
    });
    const raw = message("virus-submission", eicar).replace("dave@remote.test", "alice@example.test");
    const refused = await t
      .sendMail({
        envelope: { from: "alice@example.test", to: ["carol@example.test", "x@elsewhere.test"] },
        raw,
      })
      .then(
        () => "250",
        (e: { response?: string }) => e.response ?? String(e),
      );
    t.close();
    assert.equal(refused, `554 5.7.1 Message refused: virus found (${eicarName})`);

    const j = await jmapSend({
      base: jmapBase,
      store: ts.store,
      accountId: ts.users[0]!.id,
      address: "alice@example.test",
      password: testPassword,
      to: ["carol@example.test"],
      subject: "virus-jmap",
      body: eicar,
    });
    assert.equal(j.created, undefined);
    assert.equal(j.notCreated?.type, "forbiddenToSend");
    assert.match(j.notCreated?.description ?? "", /virus found \(Yubin-Test-EICAR/);
    assert.equal(await carolHas("virus-submission"), 0);
    assert.equal(await carolHas("virus-jmap"), 0);
    assert.deepEqual(await ts.store.queue.listQueue(), []);
  });

  test("clamd down, onError = tempfail: 451 4.3.0, nothing filed", async () => {
    await clamd.stop();
    const r = await inbound("unscanned-inbound", "just text");
    assert.match(r, /^451 4\.3\.0 .*virus scanner unavailable/);
    assert.equal(await carolHas("unscanned-inbound"), 0);
  });
});
