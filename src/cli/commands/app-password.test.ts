// yubin user app-password add|list|revoke as a user types it (a real process on the data
// directory of a running test server): the secret printed once logs in over IMAP (imapflow) to
// the running server, list shows it with its last use, revoke ends it; --mobileconfig writes an
// Apple profile (parsed with Python's plistlib) holding the secret; bad input exits 2.
import assert from "node:assert/strict";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import { sampleConfig } from "../../config/sample.js";
import { startTestServer, type TestServer, testPassword } from "../../testing/harness.js";
import { commandSkip } from "../../testing/requires.js";
import { runCommand, YUBIN_BIN } from "../test-cli.js";

const ALICE = "alice@example.test";

const run = (cmd: string, args: string[], input = "") => runCommand(cmd, args, { input });

describe("yubin user app-password", () => {
  let srv: TestServer;
  let configPath: string;

  before(async () => {
    srv = await startTestServer({ users: [{ address: ALICE, password: testPassword }] });
    configPath = join(srv.dataDir, "cli.toml");
    await writeFile(configPath, sampleConfig({ hostname: "mail.example.test", dataDir: srv.dataDir }));
  });
  after(() => srv.stop());

  const yubin = (...args: string[]) => run(process.execPath, [YUBIN_BIN, "--config", configPath, ...args]);

  async function imapLogin(pass: string): Promise<boolean> {
    const c = new ImapFlow({
      host: "127.0.0.1",
      port: srv.ports.imaps!,
      secure: true,
      tls: { ca: srv.certPem, servername: "mail.example.test" },
      auth: { user: ALICE, pass },
      logger: false,
    });
    c.on("error", () => {});
    try {
      await c.connect();
      await c.logout();
      return true;
    } catch (e) {
      if ((e as { authenticationFailed?: boolean }).authenticationFailed) return false;
      throw e;
    }
  }

  test("add prints the secret once; it logs in to the running server; list shows its last use; revoke ends it", async () => {
    const added = await yubin(
      "user",
      "app-password",
      "add",
      ALICE,
      "--name",
      "Alice's phone",
      "--scopes",
      "imap,smtp",
    );
    assert.equal(added.code, 0, added.err);
    const lines = added.out.split("\n");
    const id = /^app password (\d+) "Alice's phone" for alice@example\.test \(imap,smtp\):$/.exec(
      lines[0]!,
    )?.[1];
    assert.ok(id, added.out);
    assert.match(lines[1]!, /^[a-z]{4} [a-z]{4} [a-z]{4} [a-z]{4}$/);
    assert.equal(lines[2], "It is shown only this once.");
    const secret = lines[1]!;

    assert.equal(await imapLogin(secret), true, "the CLI's secret logs in to the server");
    const listed = await yubin("user", "app-password", "list", ALICE);
    assert.equal(listed.code, 0, listed.err);
    assert.match(
      listed.out,
      new RegExp(
        `^${id}\\tAlice's phone\\timap,smtp\\tcreated \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\tlast used \\S+Z from 127\\.0\\.0\\.1\\n$`,
      ),
    );
    assert.ok(!listed.out.includes(secret.slice(0, 4) + secret.slice(5, 9)), "list never shows the secret");

    const revoked = await yubin("user", "app-password", "revoke", ALICE, id);
    assert.deepEqual(revoked, {
      code: 0,
      out: `revoked app password ${id} of ${ALICE}; its sessions end at their next command\n`,
      err: "",
    });
    assert.equal(await imapLogin(secret), false, "revoked");
    assert.equal(await imapLogin(testPassword), true, "the account password still works");
    assert.equal((await yubin("user", "app-password", "list", ALICE)).out, "");
    assert.deepEqual(await yubin("user", "app-password", "revoke", ALICE, id), {
      code: 1,
      out: "",
      err: `yubin: ${ALICE} has no app password ${id}\n`,
    });
  });

  test("--mobileconfig writes a 0600 Apple profile holding the new secret, which logs in", async (t) => {
    const file = join(srv.dataDir, "phone.mobileconfig");
    const added = await yubin(
      "user",
      "app-password",
      "add",
      ALICE,
      "--name",
      "iPhone",
      "--mobileconfig",
      file,
    );
    assert.equal(added.code, 0, added.err);
    const secret = added.out.split("\n")[1]!;
    assert.match(
      added.out,
      new RegExp(`profile written to ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n$`),
    );
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal(await imapLogin(secret), true);
    const skip = commandSkip("python3");
    if (skip) return t.skip(skip);
    const parsed = await run("python3", [
      "-c",
      "import json, plistlib, sys; p = plistlib.load(open(sys.argv[1], 'rb')); m = p['PayloadContent'][0]; print(json.dumps([m['EmailAccountType'], m['IncomingPassword'], m['IncomingMailServerUsername'], m['OutgoingPasswordSameAsIncomingPassword'], m['IncomingMailServerHostName']]))",
      file,
    ]);
    assert.equal(parsed.code, 0, parsed.err);
    assert.deepEqual(JSON.parse(parsed.out), ["EmailTypeIMAP", secret, ALICE, true, "mail.example.test"]);
    const again = await yubin("user", "app-password", "add", ALICE, "--name", "iPad", "--mobileconfig", file);
    assert.equal(again.code, 1, "an existing file is never overwritten");
    assert.match(again.err, /^yubin: cannot write .*; nothing made\n$/);
    assert.equal((await readFile(file, "utf8")).includes(secret), true);
    assert.equal((await yubin("user", "app-password", "list", ALICE)).out.includes("iPad"), false);
  });

  test("the managesieve scope is kept, with a note that there is no ManageSieve service yet", async () => {
    const r = await yubin(
      "user",
      "app-password",
      "add",
      ALICE,
      "--name",
      "Sieve editor",
      "--scopes",
      "managesieve, IMAP",
    );
    assert.equal(r.code, 0, r.err);
    const lines = r.out.split("\n");
    assert.match(
      lines[0]!,
      /^app password \d+ "Sieve editor" for alice@example\.test \(imap,managesieve\):$/,
    );
    assert.equal(
      lines[3],
      "note: the managesieve scope is kept, but this server has no ManageSieve service yet",
    );
  });

  test("bad input: clear errors, exit 2 for usage, 1 for an unknown user", async () => {
    const cases: [string[], number, RegExp][] = [
      [["add", ALICE], 2, /^yubin: --name NAME is required\n$/],
      [
        ["add", ALICE, "--name", "x", "--scopes", "imap,ftp"],
        2,
        /^yubin: unknown scope "ftp" \(scopes: imap, pop3, smtp, jmap, managesieve\)\n$/,
      ],
      [
        ["add", ALICE, "--name", "x".repeat(65)],
        2,
        /^yubin: app password name must be 1 to 64 characters\n$/,
      ],
      [["add", ALICE, "--name", "x", "--scopes", "jmap", "--mobileconfig", "/tmp/x"], 2, /smtp scope/],
      [["add", "nobody@example.test", "--name", "x"], 1, /^yubin: unknown user nobody@example\.test\n$/],
      [["revoke", ALICE, "abc"], 2, /^yubin: malformed app password id "abc"\n$/],
      [["revoke", ALICE], 2, /^yubin: usage: yubin user app-password add/],
      [["frobnicate", ALICE], 2, /^yubin: usage: yubin user app-password add/],
      [["list", ALICE, "--name", "x"], 2, /^yubin: unknown option --name\n$/],
    ];
    for (const [args, code, err] of cases) {
      const r = await yubin("user", "app-password", ...args);
      assert.equal(r.code, code, `${args.join(" ")}: ${r.err}`);
      assert.match(r.err, err, args.join(" "));
      assert.equal(r.out, "");
    }
  });
});
