// yubin import as an admin runs it while the server serves: a real `yubin import mbox` process
// files mail into the running server's database, and an IMAP client idling in INBOX hears EXISTS
// (the server looks for other processes' writes: store/sqlite/foreign-writes.ts); a re-run
// continues after what it filed (nothing doubled); an unknown account or kind is a clear error.
// The runner's summary and exit codes are checked in-process with a test kind.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import { sampleConfig } from "../../config/sample.js";
import type { ImportSource } from "../../import/types.js";
import { startTestServer, type TestServer, testPassword } from "../../testing/harness.js";
import { CliError } from "../errors.js";
import { runCommand, YUBIN_BIN } from "../test-cli.js";
import { EXIT_SOME_FAILED, importCommand, importKinds } from "./import.js";

const ALICE = "alice@example.test";

const mbox = (from: number, to: number) =>
  Array.from(
    { length: to - from + 1 },
    (_, i) =>
      `From sender@example.org Mon Jan  4 10:00:0${i % 10} 2021\nFrom: sender@example.org\nTo: ${ALICE}\nSubject: old ${from + i}\nMessage-ID: <old-${from + i}@example.org>\nStatus: RO\n\nOld mail ${from + i}.\n`,
  ).join("\n");

/** Collects what a command writes. */
function memoryIo() {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) =>
    ({
      write(s: string) {
        into.push(s);
        return true;
      },
    }) as unknown as NodeJS.WritableStream;
  return {
    io: { stdin: process.stdin, stdout: sink(out), stderr: sink(err) },
    out: () => out.join(""),
    err: () => err.join(""),
  };
}

describe("yubin import", () => {
  let srv: TestServer;
  let configPath: string;

  before(async () => {
    srv = await startTestServer({
      users: [{ address: ALICE, password: testPassword }],
      config: { storage: { externalChangePollMs: 100 } },
    });
    configPath = join(srv.dataDir, "cli.toml");
    await writeFile(configPath, sampleConfig({ hostname: "mail.example.test", dataDir: srv.dataDir }));
  });
  after(() => srv.stop());

  const yubin = (args: string[]) =>
    runCommand(process.execPath, [YUBIN_BIN, "--config", configPath, "import", ...args]);

  test("mail filed by another process reaches an idling IMAP client; a re-run files nothing twice", async () => {
    const file = join(srv.dataDir, "old.mbox");
    await writeFile(file, mbox(1, 3));
    const c = new ImapFlow({
      host: "127.0.0.1",
      port: srv.ports.imaps!,
      secure: true,
      auth: { user: ALICE, pass: testPassword },
      tls: { rejectUnauthorized: false },
      logger: false,
    });
    await c.connect();
    try {
      const lock = await c.getMailboxLock("INBOX");
      try {
        assert.equal(c.mailbox ? c.mailbox.exists : -1, 0);
        const seen = new Promise<number>((resolve) =>
          c.on("exists", (d: { count: number }) => resolve(d.count)),
        );
        void c.idle();
        const r = await yubin(["mbox", file, "--account", ALICE, "--folder", "INBOX"]);
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /^imported 3 messages \(0\.0 MiB\) into 1 folders in \d+s \(\d+ msg\/s\)\n/);
        assert.match(r.out, /\nskipped 0 duplicates, 0 failed\n$/);
        const count = await Promise.race([
          seen,
          new Promise<number>((_, rej) => setTimeout(() => rej(new Error("no EXISTS within 15 s")), 15_000)),
        ]);
        assert.equal(count, 3);
      } finally {
        lock.release();
      }
      const flags = [];
      for await (const m of c.fetch("1:*", { flags: true, envelope: true })) {
        flags.push([m.envelope?.subject, [...(m.flags ?? [])]]);
      }
      assert.deepEqual(flags, [
        ["old 1", ["\\Seen"]],
        ["old 2", ["\\Seen"]],
        ["old 3", ["\\Seen"]],
      ]);
    } finally {
      await c.logout().catch(() => c.close());
    }
    // Two more in the file: the re-run brings only those.
    await writeFile(file, `${mbox(1, 3)}\n${mbox(4, 5)}`);
    const again = await yubin(["mbox", file, "--account", ALICE, "--folder", "INBOX"]);
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, /^imported 2 messages/);
    const inbox = (await srv.store.mail.getMailbox(srv.users[0]!.id, "INBOX"))!;
    assert.equal((await srv.store.mail.listMessages(inbox.id)).length, 5);
  });

  test("an unknown account or kind is a clear error", async () => {
    const r = await yubin(["mbox", "/nonexistent", "--account", "nobody@example.test"]);
    assert.deepEqual(r, {
      code: 1,
      out: "",
      err: "yubin: unknown user nobody@example.test (create it first: yubin user add nobody@example.test)\n",
    });
    const k = await yubin(["pst", "x", "--account", ALICE]);
    assert.equal(k.code, 2);
    assert.match(k.err, /^yubin: unknown import kind "pst" \(known: .*mbox.*\)\n$/);
  });

  test("in-process: the summary lists failures, exit code 3; over quota stops with exit code 1", async () => {
    let n = 0;
    const folderOf = (count: number, failAt: number): ImportSource => ({
      id: `test:${++n}`,
      async *folders() {
        yield {
          name: "Imported",
          specialUse: null,
          count,
          bytes: count * 40,
          async *messages() {
            for (let i = 1; i <= count; i++) {
              if (i === failAt)
                yield { failed: true, label: `item ${i}`, reason: "damaged", position: String(i) };
              else
                yield {
                  body: Buffer.from(`Subject: t${n}-${i}\r\n\r\n${i}\r\n`),
                  flags: [],
                  internalDate: new Date(),
                  position: String(i),
                  label: `item ${i}`,
                };
            }
          },
        };
      },
      async close() {},
    });
    let next: ImportSource = folderOf(3, 2);
    importKinds.test = { valueFlags: [], usage: "usage: yubin import test", open: async () => next };
    try {
      const m = memoryIo();
      const run = () =>
        importCommand(
          { configPath, io: m.io },
          { positional: ["test"], flags: new Map([["account", ALICE]]), lists: new Map() },
        );
      await assert.rejects(run(), (e: unknown) => {
        assert.ok(e instanceof CliError);
        assert.equal(e.exitCode, EXIT_SOME_FAILED);
        assert.equal(e.message, "1 messages failed (listed above)");
        return true;
      });
      assert.match(
        m.out(),
        /^imported 2 messages .*\nskipped 0 duplicates, 1 failed\nfailed: Imported: item 2: damaged\n$/,
      );
      // The source failing midway: a clear message, not an internal error.
      next = {
        id: "test:broken",
        async *folders() {
          yield* [];
          throw new Error("connection reset by peer");
        },
        async close() {},
      };
      await assert.rejects(run(), (e: unknown) => {
        assert.ok(e instanceof CliError);
        assert.equal(e.exitCode, 1);
        assert.equal(
          e.message,
          "import stopped: connection reset by peer (what was filed stays; run the same command again to continue)",
        );
        return true;
      });
      await srv.store.directory.updateAccount(srv.users[0]!.id, { quotaMessages: 10 });
      next = folderOf(50, 0);
      await assert.rejects(run(), (e: unknown) => {
        assert.ok(e instanceof CliError);
        assert.equal(e.exitCode, 1);
        assert.match(
          e.message,
          /^import needs 50 messages but the account has room for \d+ of its 10; nothing was imported$/,
        );
        return true;
      });
    } finally {
      delete importKinds.test;
    }
  });
});
