// yubin user 2fa status|reset as an admin types it (a real process on the data directory of a
// running test server): status shows the authenticator, recovery codes and passkeys; reset
// removes them, after which the running server lets the account password open IMAP again.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import { totpCode } from "../../auth/2fa/totp.js";
import { sampleConfig } from "../../config/sample.js";
import { startTestServer, type TestServer, testPassword } from "../../testing/harness.js";
import { runCommand, YUBIN_BIN } from "../test-cli.js";

const ALICE = "alice@example.test";

const run = (args: string[]) => runCommand(process.execPath, [YUBIN_BIN, ...args]);

describe("yubin user 2fa", () => {
  let srv: TestServer;
  let configPath: string;
  before(async () => {
    srv = await startTestServer({ users: [{ address: ALICE, password: testPassword }] });
    configPath = join(srv.dataDir, "cli.toml");
    await writeFile(configPath, sampleConfig({ hostname: "mail.example.test", dataDir: srv.dataDir }));
  });
  after(() => srv.stop());
  const yubin = (...args: string[]) => run(["--config", configPath, ...args]);

  const imapLogin = async () => {
    const c = new ImapFlow({
      host: "127.0.0.1",
      port: srv.ports.imaps!,
      secure: true,
      tls: { ca: srv.certPem, servername: "mail.example.test" },
      auth: { user: ALICE, pass: testPassword },
      logger: false,
    });
    c.on("error", () => {});
    try {
      await c.connect();
      await c.logout();
      return true;
    } catch {
      return false;
    }
  };

  test("status, then reset: the account password opens IMAP again", async () => {
    const off = await yubin("user", "2fa", "status", ALICE);
    assert.equal(off.code, 0, off.err);
    assert.match(off.out, /^two-factor login: off$/m);
    const id = srv.users[0]!.id;
    const t = await srv.ctx.secondFactors.newTotp({ accountId: id, address: ALICE, issuer: "Yubin" });
    assert.ok(await srv.ctx.secondFactors.confirmTotp(id, t.sealed, totpCode(t.secret, Date.now())));
    assert.equal(await imapLogin(), false);
    const on = await yubin("user", "2fa", "status", ALICE);
    assert.equal(on.code, 0, on.err);
    assert.match(on.out, /^two-factor login: on$/m);
    assert.match(on.out, /^authenticator app: set up$/m);
    assert.match(on.out, /^recovery codes: 10 of 10 unused$/m);
    const reset = await yubin("user", "2fa", "reset", ALICE);
    assert.equal(reset.code, 0, reset.err);
    assert.match(reset.out, /two-factor login reset for alice@example\.test/);
    assert.equal(await imapLogin(), true);
  });

  test("an unknown user or subcommand exits non-zero with a message", async () => {
    const unknown = await yubin("user", "2fa", "status", "nobody@example.test");
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.err, /nobody@example\.test/);
    const bad = await yubin("user", "2fa", "frobnicate", ALICE);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /usage: yubin user 2fa/);
  });
});
