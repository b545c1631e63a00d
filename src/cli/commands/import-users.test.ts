// yubin import users as an admin types it (a real process on a running test server's data
// directory): the summary lists what was created, skipped and refused with the line and reason,
// the exit code says some failed, and a created user logs in to the running server at once.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import { sampleConfig } from "../../config/sample.js";
import { startTestServer, type TestServer } from "../../testing/harness.js";
import { runCommand, YUBIN_BIN } from "../test-cli.js";

// `doveadm pw -s SHA512-CRYPT -p 'ivy old password'` (Dovecot 2.3.19).
const IVY_HASH =
  "{SHA512-CRYPT}$6$Ulu0OWRNEABXpqtH$n6aiygFLEnOUPN63TCQYkAF26W3Wy.VUV6jZ8Cy5ZDQ8yFZteRXOWbrBZX0wvvUmjhDujNKPPXFpr2Jwis61z1";

describe("yubin import users", () => {
  let srv: TestServer;
  let configPath: string;
  let passwd: string;
  before(async () => {
    srv = await startTestServer();
    configPath = join(srv.dataDir, "cli.toml");
    await writeFile(configPath, sampleConfig({ hostname: "mail.example.test", dataDir: srv.dataDir }));
    passwd = join(srv.dataDir, "passwd");
    await writeFile(
      passwd,
      [
        `ivy:${IVY_HASH}:1000:1000::/home/ivy::userdb_quota_rule=*:storage=5M`,
        "alice:{PLAIN}whatever:::::",
        "jon:{MD5-CRYPT}$1$abc$def:::::",
        "",
      ].join("\n"),
    );
  });
  after(() => srv.stop());

  test("creates, skips and refuses with reasons; the new user logs in to the running server", async () => {
    const r = await runCommand(process.execPath, [
      YUBIN_BIN,
      "--config",
      configPath,
      "import",
      "users",
      "--passwd-file",
      passwd,
      "--domain",
      "example.test",
      "--quota-from-userdb",
    ]);
    assert.equal(r.code, 1, r.err);
    assert.equal(
      r.out,
      "created\tivy@example.test\n" +
        "exists\talice@example.test\t(skipped, unchanged)\n" +
        "failed\tline 3\tjon@example.test\tpassword scheme {MD5-CRYPT} cannot be verified by Yubin\n" +
        "1 created, 1 already existed, 1 failed\n",
    );
    assert.equal(r.err, "yubin: 1 user(s) not imported\n");
    const ivy = (await srv.store.directory.getAccountByAddress("ivy@example.test"))!;
    assert.equal(ivy.quotaBytes, 5 * 1024 * 1024);
    const c = new ImapFlow({
      host: "127.0.0.1",
      port: srv.ports.imaps!,
      secure: true,
      tls: { ca: srv.certPem, servername: "mail.example.test" },
      auth: { user: "ivy@example.test", pass: "ivy old password" },
      logger: false,
    });
    c.on("error", () => {});
    await c.connect();
    assert.ok(await c.mailboxOpen("INBOX"));
    await c.logout();
  });
});
