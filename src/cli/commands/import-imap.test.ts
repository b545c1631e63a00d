// yubin import imap as a user runs it, a real process on the data directory of a running test
// server, pulling alice's mail into bob's account on the same server: a wrong password is a
// clear error and files nothing; a run killed with SIGKILL mid-folder (held still by a proxy
// after its first batch was filed) and run again files every message exactly once; the running
// server's IMAP sessions see what the CLI filed.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import { sampleConfig } from "../../config/sample.js";
import { openImapSource } from "../../import/imap/source.js";
import { startCutProxy } from "../../import/imap/testing/cut-proxy.js";
import { startTestServer, type TestServer } from "../../testing/harness.js";
import { snapshot } from "../../testing/imap-snapshot.js";
import { runCommand, YUBIN_BIN } from "../test-cli.js";

const ALICE = "alice@example.test";
const BOB = "bob@example.test";
const PASSWORD = "cli import password 1";
const COUNT = 300; // more than one batch (200) of the engine

describe("yubin import imap", { timeout: 180_000 }, () => {
  let srv: TestServer;
  let configPath: string;
  let passwordFile: string;

  const connect = async (user: string) => {
    const c = new ImapFlow({
      host: "127.0.0.1",
      port: srv.ports.imaps!,
      secure: true,
      tls: { ca: srv.certPem, servername: "mail.example.test" },
      auth: { user, pass: PASSWORD },
      logger: false,
    });
    await c.connect();
    return c;
  };
  const args = (port: number, pwFile: string) => [
    YUBIN_BIN,
    "--config",
    configPath,
    "import",
    "imap",
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--user",
    ALICE,
    "--password-file",
    pwFile,
    "--insecure",
    "--account",
    BOB,
  ];
  const bobMessages = async () => (await srv.store.mail.quotaUsage(srv.users[1]!.id)).messages;

  before(async () => {
    srv = await startTestServer({
      users: [
        { address: ALICE, password: PASSWORD },
        { address: BOB, password: PASSWORD },
      ],
    });
    configPath = join(srv.dataDir, "cli.toml");
    await writeFile(configPath, sampleConfig({ hostname: "mail.example.test", dataDir: srv.dataDir }));
    passwordFile = join(srv.dataDir, "source-password");
    await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
    const alice = await connect(ALICE);
    try {
      for (let n = 0; n < COUNT; n++) {
        const text = `From: s${n}@example.org\r\nSubject: n ${n}\r\nMessage-ID: <cli${n}@example.org>\r\n\r\n${randomBytes(600).toString("base64")}\r\n`;
        await alice.append(
          "INBOX",
          Buffer.from(text),
          n % 2 ? ["\\Seen"] : [],
          new Date(Date.UTC(2020, 0, 1, 0, n)),
        );
      }
    } finally {
      await alice.logout();
    }
  });
  after(() => srv.stop());

  test("a wrong password: exit 1, the server's refusal, nothing filed", async () => {
    const wrong = join(srv.dataDir, "wrong-password");
    await writeFile(wrong, "not the password\n", { mode: 0o600 });
    const r = await runCommand(process.execPath, args(srv.ports.imaps!, wrong));
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /127\.0\.0\.1:\d+ refused the login of alice@example\.test/);
    assert.equal(await bobMessages(), 0);
  });

  test("killed with SIGKILL mid-folder, run again: every message exactly once, seen by the running server", async () => {
    // What a whole pull costs on the wire (with or without COMPRESS, RFC 4978), measured by
    // reading the source through a proxy that does not stop.
    const meter = await startCutProxy({ port: srv.ports.imaps!, cutAfterBytes: Number.MAX_SAFE_INTEGER });
    try {
      const source = await openImapSource({
        host: "127.0.0.1",
        port: meter.port,
        tls: "implicit",
        rejectUnauthorized: false,
        user: ALICE,
        password: PASSWORD,
      });
      for await (const f of source.folders()) for await (const _ of f.messages(null));
      await source.close();
    } finally {
      await meter.close();
    }
    // The proxy forwards 80 % of that and then holds: the first batch of 200 is filed, and the
    // importer waits for the rest until it is killed.
    const proxy = await startCutProxy({
      port: srv.ports.imaps!,
      cutAfterBytes: Math.round(meter.forwarded() * 0.8),
      stall: true,
    });
    try {
      const child = spawn(process.execPath, args(proxy.port, passwordFile), { stdio: "ignore" });
      const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
      const deadline = Date.now() + 60_000;
      while ((await bobMessages()) < 200 && Date.now() < deadline && child.exitCode === null)
        await new Promise((r) => setTimeout(r, 100));
      assert.equal(await bobMessages(), 200, "the first batch was filed before the stall");
      child.kill("SIGKILL");
      await exited;
    } finally {
      await proxy.close();
    }
    const r = await runCommand(process.execPath, args(srv.ports.imaps!, passwordFile));
    assert.equal(r.code, 0, r.err);
    assert.equal(await bobMessages(), COUNT);
    const alice = await connect(ALICE);
    const bob = await connect(BOB);
    try {
      const want = (await snapshot(alice)).get("INBOX")!;
      const got = (await snapshot(bob)).get("INBOX")!;
      assert.deepEqual(got, want);
    } finally {
      await alice.logout();
      await bob.logout();
    }
  });
});
