// yubin sieve as an admin types it (a real process on the data directory of a running test
// server): put from a file and from stdin, list, get, activate, rename, delete; an invalid script
// is refused with FILE:LINE:COLUMN and nothing is stored; the running server's store sees each
// change at once (the same database).
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { sampleConfig } from "../../config/sample.js";
import { startTestServer, type TestServer, testPassword } from "../../testing/harness.js";
import { runCommand, YUBIN_BIN } from "../test-cli.js";

const ALICE = "alice@example.test";
const RULES = 'require "fileinto";\nif header :contains "subject" "invoice" {\n  fileinto "Accounting";\n}\n';
const BROKEN = 'require "fileinto";\nif header :contains "subject" {\n  fileinto "Accounting";\n}\n';

describe("yubin sieve", () => {
  let srv: TestServer;
  let configPath: string;
  let alice: number;

  before(async () => {
    srv = await startTestServer({ users: [{ address: ALICE, password: testPassword }] });
    configPath = join(srv.dataDir, "cli.toml");
    await writeFile(configPath, sampleConfig({ hostname: "mail.example.test", dataDir: srv.dataDir }));
    await writeFile(join(srv.dataDir, "rules.sieve"), RULES);
    await writeFile(join(srv.dataDir, "broken.sieve"), BROKEN);
    alice = srv.users[0]!.id;
  });
  after(() => srv.stop());

  const yubin = (args: string[], input = "") =>
    runCommand(process.execPath, [YUBIN_BIN, "--config", configPath, "sieve", ...args], { input });

  test("put (file, --activate), list, get, put from stdin, rename, deactivate, delete", async () => {
    const file = join(srv.dataDir, "rules.sieve");
    let r = await yubin(["put", ALICE, "rules", file, "--activate"]);
    assert.deepEqual(r, { code: 0, out: `stored rules for ${ALICE} (active)\n`, err: "" });
    assert.equal((await srv.store.sieve.active(alice))?.content, RULES);

    r = await yubin(["put", ALICE, "spare"], "keep;\n");
    assert.deepEqual(r, { code: 0, out: `stored spare for ${ALICE}\n`, err: "" });
    r = await yubin(["list", ALICE]);
    assert.deepEqual(r, { code: 0, out: "rules\t(active)\nspare\n", err: "" });
    r = await yubin(["get", ALICE, "rules"]);
    assert.deepEqual(r, { code: 0, out: RULES, err: "" });

    r = await yubin(["delete", ALICE, "rules"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^yubin: .*\(deactivate it first: yubin sieve deactivate\)\n$/);
    r = await yubin(["rename", ALICE, "rules", "Mail rules"]);
    assert.deepEqual(r, { code: 0, out: "renamed rules to Mail rules\n", err: "" });
    r = await yubin(["deactivate", ALICE]);
    assert.deepEqual(r, { code: 0, out: `no active script for ${ALICE}\n`, err: "" });
    assert.equal(await srv.store.sieve.active(alice), null);
    r = await yubin(["delete", ALICE, "Mail rules"]);
    assert.deepEqual(r, { code: 0, out: "deleted Mail rules\n", err: "" });
    assert.deepEqual(
      (await srv.store.sieve.list(alice)).map((x) => x.name),
      ["spare"],
    );
  });

  test("an invalid script: check and put print FILE:LINE:COLUMN and exit 1; nothing is stored", async () => {
    const file = join(srv.dataDir, "broken.sieve");
    const before = await srv.store.sieve.list(alice);
    let r = await yubin(["check", file]);
    assert.equal(r.code, 1);
    assert.equal(r.out, "");
    assert.match(
      r.err,
      new RegExp(`^yubin: invalid script:\\n${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2:\\d+: `),
    );
    r = await yubin(["put", ALICE, "broken", file]);
    assert.equal(r.code, 1);
    assert.deepEqual(await srv.store.sieve.list(alice), before);
    r = await yubin(["check", "-"], BROKEN);
    assert.equal(r.code, 1);
    assert.match(r.err, /^yubin: invalid script:\nstdin:2:\d+: /);
  });

  test("a usage error exits 2; an unknown user or a bad name exits 1", async () => {
    assert.equal((await yubin(["frob"])).code, 2);
    assert.deepEqual(await yubin(["list", "nobody@example.test"]), {
      code: 1,
      out: "",
      err: "yubin: unknown user nobody@example.test\n",
    });
    assert.deepEqual(await yubin(["put", ALICE, "a\tb"], "keep;"), {
      code: 1,
      out: "",
      err: "yubin: script name contains control characters\n",
    });
  });
});
