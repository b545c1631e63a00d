// yubin import mbox and yubin export as an admin types them, against the data directory of a
// running test server: an IMAP session open during the import sees the mail arrive (the same
// database, another process); the export writes what IMAP shows and refuses a non-empty target.
import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import { sampleConfig } from "../../config/sample.js";
import { startTestServer, type TestServer, testPassword } from "../../testing/harness.js";
import { runCommand, YUBIN_BIN } from "../test-cli.js";

const ALICE = "alice@example.test";
const MBOX =
  "From bob@example.org Thu Nov 24 18:22:48 1986\nFrom: bob@example.org\nSubject: one\nStatus: RO\nX-Status: F\n\n>From the start\n\n" +
  "From carol@example.org Fri Nov 25 01:02:03 1986\nFrom: carol@example.org\nSubject: two\nX-Keywords: work\n\nhi\n\n";

describe("yubin import mbox / yubin export", () => {
  let srv: TestServer;
  let configPath: string;
  let client: ImapFlow;

  before(async () => {
    srv = await startTestServer({
      users: [{ address: ALICE, password: testPassword }],
      config: { storage: { externalChangePollMs: 100 } },
    });
    configPath = join(srv.dataDir, "cli.toml");
    await writeFile(configPath, sampleConfig({ hostname: "mail.example.test", dataDir: srv.dataDir }));
    await writeFile(join(srv.dataDir, "old.mbox"), MBOX);
    client = new ImapFlow({
      host: "127.0.0.1",
      port: srv.ports.imaps!,
      secure: true,
      auth: { user: ALICE, pass: testPassword },
      tls: { rejectUnauthorized: false },
      logger: false,
    });
    await client.connect();
  });
  after(async () => {
    await client.logout().catch(() => client.close());
    await srv.stop();
  });

  const yubin = (args: string[]) =>
    runCommand(process.execPath, [YUBIN_BIN, "--config", configPath, ...args]);

  test("import into INBOX while an IMAP session has it selected, then export it as mbox", async () => {
    await client.mailboxOpen("INBOX");
    assert.equal(client.mailbox ? client.mailbox.exists : -1, 0);
    let r = await yubin([
      "import",
      "mbox",
      join(srv.dataDir, "old.mbox"),
      "--account",
      ALICE,
      "--folder",
      "INBOX",
    ]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^imported 2 messages .* into 1 folders/);
    // The server looks for other processes' writes every 100 ms: NOOP until it has (bounded).
    for (let i = 0; i < 100 && (client.mailbox ? client.mailbox.exists : 0) < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await client.noop();
    }
    assert.equal(client.mailbox ? client.mailbox.exists : -1, 2);
    const got: { flags: string[]; date: string; body: string }[] = [];
    for await (const m of client.fetch("1:*", { flags: true, internalDate: true, source: true })) {
      got.push({
        flags: [...(m.flags ?? [])].sort(),
        date: new Date(m.internalDate!).toISOString(),
        body: m.source!.toString(),
      });
    }
    assert.deepEqual(got, [
      {
        flags: ["\\Flagged", "\\Seen"],
        date: "1986-11-24T18:22:48.000Z",
        body: "From: bob@example.org\r\nSubject: one\r\n\r\nFrom the start\r\n",
      },
      {
        flags: ["work"],
        date: "1986-11-25T01:02:03.000Z",
        body: "From: carol@example.org\r\nSubject: two\r\n\r\nhi\r\n",
      },
    ]);

    const out = join(srv.dataDir, "export");
    r = await yubin(["export", "--account", ALICE, "--folder", "INBOX", "--format", "mbox", out]);
    assert.equal(r.code, 0, r.err);
    assert.equal(
      r.out,
      `exported 2 messages (${Buffer.byteLength(got[0]!.body) + Buffer.byteLength(got[1]!.body)} octets) in 1 folders to ${out} as mbox\n`,
    );
    assert.deepEqual(await readdir(out), ["INBOX"]);
    assert.equal(
      await readFile(join(out, "INBOX"), "utf8"),
      "From MAILER-DAEMON Mon Nov 24 18:22:48 1986\nFrom: bob@example.org\nSubject: one\nStatus: RO\nX-Status: F\n\n>From the start\n\n" +
        "From MAILER-DAEMON Tue Nov 25 01:02:03 1986\nFrom: carol@example.org\nSubject: two\nStatus: O\nX-Keywords: work\n\nhi\n\n",
    );
    r = await yubin(["export", "--account", ALICE, "--format", "maildir", out]);
    assert.deepEqual(r, { code: 1, out: "", err: `yubin: ${out} is not empty\n` });
  });
});
