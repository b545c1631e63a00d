// yubin user admin as an admin types it (a real process on the data directory of a running test
// server): --domain (repeatable) makes a domain administrator, --global a global one, --none
// neither; the running server applies the role at the next admin request (the admin pages over
// HTTPS with the user's session). Bad input: no role or two, an unknown domain or user.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { sampleConfig } from "../../config/sample.js";
import { WebClient } from "../../http/test-client.js";
import { startTestServer, type TestServer, testPassword } from "../../testing/harness.js";
import { runCommand, YUBIN_BIN } from "../test-cli.js";

const DANA = "dana@one.test";

describe("yubin user admin", () => {
  let srv: TestServer;
  let configPath: string;
  before(async () => {
    srv = await startTestServer({
      domains: ["one.test", "two.test", "three.test"],
      users: [
        { address: DANA, password: testPassword },
        { address: "bob@two.test", password: testPassword },
      ],
    });
    configPath = join(srv.dataDir, "cli.toml");
    await writeFile(configPath, sampleConfig({ hostname: "mail.example.test", dataDir: srv.dataDir }));
  });
  after(() => srv.stop());
  const yubin = (...args: string[]) =>
    runCommand(process.execPath, [YUBIN_BIN, "--config", configPath, ...args]);

  test("--domain twice, then --global, then --none; the running server follows each", async () => {
    const web = new WebClient(srv.ports.https!, srv.certPem);
    assert.equal((await web.login(DANA, testPassword)).status, 303);
    assert.equal((await web.get("/admin/users")).status, 403);

    const r = await yubin("user", "admin", DANA, "--domain", "Two.Test", "--domain", "three.test");
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `${DANA} administers three.test, two.test\n`);
    const id = srv.users[0]!.id;
    assert.deepEqual(await srv.store.directory.listAdminDomains(id), ["three.test", "two.test"]);
    const users = await web.get("/admin/users");
    assert.equal(users.status, 200);
    assert.match(users.body, /<td>bob@two\.test<\/td>/);
    assert.equal((await web.get("/admin/queue")).status, 403);
    const list = await yubin("user", "list");
    assert.match(list.out, /^dana@one\.test\t.*\tadmin of three\.test two\.test$/m);
    const show = await yubin("user", "show", DANA);
    assert.match(show.out, /^admin: of three\.test, two\.test$/m);

    const g = await yubin("user", "admin", DANA, "--global");
    assert.equal(g.code, 0, g.err);
    assert.equal(g.out, `${DANA} is a global administrator\n`);
    assert.deepEqual(await srv.store.directory.listAdminDomains(id), []);
    assert.equal((await srv.store.directory.getAccount(id))?.isAdmin, true);
    assert.equal((await web.get("/admin/queue")).status, 200);

    const n = await yubin("user", "admin", DANA, "--none");
    assert.equal(n.code, 0, n.err);
    assert.equal((await srv.store.directory.getAccount(id))?.isAdmin, false);
    assert.equal((await web.get("/admin/users")).status, 403);
  });

  test("bad input: no role, two roles, an unknown domain or user; nothing changes", async () => {
    const id = srv.users[1]!.id;
    for (const args of [[], ["--global", "--none"], ["--domain", "one.test", "--global"]]) {
      const r = await yubin("user", "admin", "bob@two.test", ...args);
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.err, /usage: yubin user admin ADDRESS --domain D/);
    }
    const unknown = await yubin(
      "user",
      "admin",
      "bob@two.test",
      "--domain",
      "one.test",
      "--domain",
      "nope.test",
    );
    assert.equal(unknown.code, 1);
    assert.equal(unknown.err, "yubin: unknown domain nope.test\n");
    const nobody = await yubin("user", "admin", "nobody@two.test", "--global");
    assert.equal(nobody.code, 1);
    assert.equal(nobody.err, "yubin: unknown user nobody@two.test\n");
    assert.deepEqual(await srv.store.directory.listAdminDomains(id), []);
    assert.equal((await srv.store.directory.getAccount(id))?.isAdmin, false);
  });
});
