// yubin import maildir's arguments and errors, in-process (the real command runs once in
// src/import/maildir/dovecot-roundtrip.test.ts): a path that is not a Maildir and an unknown
// --layout are clear errors; --layout fs reads a Maildir++ tree as fs (so only INBOX), as told.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { sampleConfig } from "../../config/sample.js";
import { startTestServer, type TestServer, testPassword } from "../../testing/harness.js";
import { CliError, UsageError } from "../errors.js";
import { importCommand } from "./import.js";

const ANN = "ann@example.test";

function memoryIo() {
  const out: string[] = [];
  const sink = {
    write(s: string) {
      out.push(s);
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  return { io: { stdin: process.stdin, stdout: sink, stderr: sink }, out: () => out.join("") };
}

describe("yubin import maildir", () => {
  let srv: TestServer;
  let configPath: string;
  let dir: string;
  before(async () => {
    srv = await startTestServer({ users: [{ address: ANN, password: testPassword }] });
    configPath = join(srv.dataDir, "cli.toml");
    await writeFile(configPath, sampleConfig({ hostname: "mail.example.test", dataDir: srv.dataDir }));
    dir = await mkdtemp(join(tmpdir(), "yubin-import-maildir-cli-"));
  });
  after(async () => {
    await srv.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const run = (positional: string[], flags: [string, string][] = []) => {
    const m = memoryIo();
    const p = importCommand(
      { configPath, io: m.io },
      {
        positional: ["maildir", ...positional],
        flags: new Map([["account", ANN], ...flags]),
        lists: new Map(),
      },
    );
    return { p, out: m.out };
  };

  test("not a Maildir, a missing path and a bad --layout are clear errors", async () => {
    await assert.rejects(run([dir]).p, (e: unknown) => {
      assert.ok(e instanceof CliError);
      assert.equal(e.message, `${dir}: not a Maildir (no cur/ or new/ in it or in any folder below it)`);
      return true;
    });
    await assert.rejects(run([join(dir, "nope")]).p, new CliError(`${join(dir, "nope")}: no such directory`));
    await assert.rejects(run([dir], [["layout", "mh"]]).p, (e: unknown) => e instanceof UsageError);
    await assert.rejects(run([]).p, (e: unknown) => e instanceof UsageError);
  });

  test("--layout fs as told: a Maildir++ folder is then not a folder", async () => {
    for (const sub of ["cur", "new", "tmp", ".Sent/cur", ".Sent/new"])
      await mkdir(join(dir, sub), { recursive: true });
    await writeFile(join(dir, "cur", "1700000001.a:2,S"), "Subject: a\n\na\n");
    await writeFile(join(dir, ".Sent", "cur", "1700000002.b:2,S"), "Subject: b\n\nb\n");
    const r = run([dir], [["layout", "fs"]]);
    await r.p;
    assert.match(r.out(), /^imported 1 messages .* into 1 folders/m);
  });
});
