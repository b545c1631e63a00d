// A script saved by a Windows editor starts with a UTF-8 byte order mark: ManageSieve's PUTSCRIPT
// and CHECKSCRIPT accept it, SETACTIVE makes it the active script, GETSCRIPT gives it back
// without the mark (the literal is decoded as UTF-8 text, where a leading BOM is no character),
// and delivery runs it (swaks on port 25: the message lands in the folder it names).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { commandSkip } from "../testing/requires.js";
import { plainAuth, SieveTestClient, withLiteral } from "./test-client.js";

const run = promisify(execFile);
const SCRIPT = '\uFEFFrequire ["fileinto", "mailbox"];\r\nfileinto :create "Windows";\r\n';

describe("a script with a byte order mark (ManageSieve, then delivery)", {
  skip: commandSkip("swaks"),
}, () => {
  let ts: TestServer;

  before(async () => {
    ts = await startTestServer({
      users: [{ address: "alice@example.test", password: testPassword }],
      config: { managesieve: { allowPlaintextAuth: true } },
    });
  });
  after(async () => {
    await ts?.stop();
  });

  test("PUTSCRIPT, CHECKSCRIPT and SETACTIVE accept it; GETSCRIPT returns it without the mark; mail is filed by it", async () => {
    const c = await SieveTestClient.connect(ts.ports.managesieve!);
    try {
      assert.match(await c.readResponse(), /OK "Yubin ManageSieve ready"\r\n$/);
      assert.equal(await c.cmd(plainAuth("alice@example.test", testPassword)), 'OK "logged in"\r\n');
      assert.equal(await c.cmd(withLiteral("CHECKSCRIPT", SCRIPT)), "OK\r\n");
      assert.equal(await c.cmd(withLiteral('PUTSCRIPT "win"', SCRIPT)), "OK\r\n");
      assert.equal(await c.cmd('SETACTIVE "win"'), "OK\r\n");
      const text = SCRIPT.slice(1);
      assert.equal(await c.cmd('GETSCRIPT "win"'), `{${Buffer.byteLength(text)}}\r\n${text}\r\nOK\r\n`);
    } finally {
      c.close();
    }

    const subject = `bom ${randomUUID()}`;
    const args = ["--server", `127.0.0.1:${ts.ports.smtp}`, "--helo", "client.remote.example"];
    args.push("--from", "sender@remote.example", "--to", "alice@example.test", "--data", "-");
    const child = run("swaks", args, { timeout: 30_000 });
    child.child.stdin?.end(
      `From: <sender@remote.example>\nTo: <alice@example.test>\nSubject: ${subject}\nMessage-ID: <${randomUUID()}@remote.example>\n\nhi\n`,
    );
    assert.match((await child).stdout, /<- {2}250 /);
    const alice = ts.users[0]!.id;
    const where: string[] = [];
    for (const box of await ts.store.mail.listMailboxes(alice))
      for (const m of await ts.store.mail.listMessages(box.id))
        if ((await ts.store.mail.readBody(m.blobId)).toString("utf8").includes(`Subject: ${subject}\r\n`))
          where.push(box.name);
    assert.deepEqual(where, ["Windows"]);
  });
});
