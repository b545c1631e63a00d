// A script saved by a Windows editor starts with a UTF-8 byte order mark. JMAP keeps blobs byte
// for byte (content.ts), so the interpreter sees the mark: SieveScript/validate and /set accept
// the script, it reads back as uploaded, and delivery runs it (swaks on port 25: the message
// lands in the folder it names).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { commandSkip } from "../../testing/requires.js";
import { type JmapTest, type Resp, startJmapTest, USING } from "../test-support.js";

const run = promisify(execFile);
const WITH = [...USING, "urn:ietf:params:jmap:sieve"];
const SCRIPT = Buffer.from(
  '\uFEFFrequire ["fileinto", "mailbox"];\r\nfileinto :create "Windows";\r\n',
  "utf8",
);

describe("JMAP Sieve: a script with a byte order mark", { skip: commandSkip("swaks") }, () => {
  let t: JmapTest;
  before(async () => {
    t = await startJmapTest(0);
  });
  after(() => t?.close());

  const call = async (name: string, args: object): Promise<Resp> =>
    (await t.api([[name, { accountId: t.accountId, ...args }, "0"]], WITH))[0]!;

  test("validate and set accept it, it reads back byte for byte, and delivery files by it", async () => {
    const up = await fetch(`${t.base}/jmap/upload/${t.accountId}/`, {
      method: "POST",
      headers: { Authorization: t.basic, "Content-Type": "application/sieve" },
      body: SCRIPT,
    });
    assert.equal(up.status, 201);
    const blobId = ((await up.json()) as { blobId: string }).blobId;
    assert.deepEqual((await call("SieveScript/validate", { blobId }))[1], {
      accountId: t.accountId,
      error: null,
    });
    const set = await call("SieveScript/set", {
      create: { w: { name: "windows", blobId } },
      onSuccessActivateScript: "#w",
    });
    assert.ok(set[1].created?.w, JSON.stringify(set[1].notCreated));
    const stored = await t.ts.store.sieve.active(t.user.id);
    assert.deepEqual(Buffer.from(stored?.content ?? "", "utf8"), SCRIPT);

    const subject = `bom ${randomUUID()}`;
    const args = ["--server", `127.0.0.1:${t.ts.ports.smtp}`, "--helo", "client.remote.example"];
    args.push("--from", "sender@remote.example", "--to", t.user.address, "--data", "-");
    const child = run("swaks", args, { timeout: 30_000 });
    child.child.stdin?.end(
      `From: <sender@remote.example>\nTo: <${t.user.address}>\nSubject: ${subject}\nMessage-ID: <${randomUUID()}@remote.example>\n\nhi\n`,
    );
    assert.match((await child).stdout, /<- {2}250 /);
    const where: string[] = [];
    for (const box of await t.ts.store.mail.listMailboxes(t.user.id))
      for (const m of await t.ts.store.mail.listMessages(box.id))
        if ((await t.ts.store.mail.readBody(m.blobId)).toString("utf8").includes(`Subject: ${subject}\r\n`))
          where.push(box.name);
    assert.deepEqual(where, ["Windows"]);
  });
});
