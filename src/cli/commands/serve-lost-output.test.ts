// `yubin serve` whose stdout/stderr reader died (a dead `tee`, a restarted journal, a test runner
// gone): SIGTERM must still stop it gracefully, with its normal exit code, and what it answered
// 250 for must be stored. Before src/log/output-sink.ts, the first log line after the reader's
// death (an SMTP session's, or SIGTERM's "shutting down") failed with EPIPE, the uncaught-error
// guard logged that, which failed again, in a process.nextTick loop that starved the event loop:
// the server answered nothing more and never exited; with --workers 2 the workers spun so, and
// the supervisor, which has no such guard, died with code 1 at its own first line.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openStore } from "../../app/stores.js";
import { hashPassword } from "../../auth/password.js";
import { defaultConfig } from "../../config/load.js";
import { silentLogger } from "../../log/logger.js";
import { RawSmtpClient } from "../../smtp/test-client.js";
import { inbox } from "../../smtp/test-server.js";
import { LocalNotifier } from "../../store/notifier.js";
import { testStorage } from "../../testing/backend.js";
import { startServerProcess } from "../../testing/process.js";

/** A bound for a stuck shutdown, not a speed requirement: a healthy one takes well under 1 s
 *  (server.shutdownGraceSec is 2 in src/testing/process.ts). */
const EXIT_BOUND_MS = 30_000;

/** Resolves with the exit, or "stuck" after EXIT_BOUND_MS (a bound, not a measurement). */
async function exitWithin(
  exited: Promise<[number | null, NodeJS.Signals | null]>,
): Promise<[number | null, NodeJS.Signals | null] | "stuck"> {
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<"stuck">((res) => {
    timer = setTimeout(() => res("stuck"), EXIT_BOUND_MS);
  });
  try {
    return await Promise.race([exited, stuck]);
  } finally {
    clearTimeout(timer);
  }
}

for (const workers of [1, 2]) {
  test(`serve --workers ${workers}: SIGTERM with its output pipe closed exits 0, acknowledged mail kept`, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "yubin-lost-output-"));
    const backend = await testStorage();
    try {
      const config = defaultConfig();
      config.server.dataDir = dataDir;
      Object.assign(config.storage, backend.storage);
      const open = () => openStore(config, new LocalNotifier(), silentLogger);
      const setup = await open();
      await setup.directory.addDomain("example.test");
      const account = await setup.directory.createAccount({
        address: "alice@example.test",
        passwordHash: await hashPassword("unused-password-1"),
      });
      await setup.close();

      const proc = await startServerProcess({
        dataDir,
        keepData: true,
        listeners: [{ protocol: "smtp", tls: "none" }],
        config: { storage: backend.storage },
        args: ["--workers", String(workers)],
      });
      const exited = once(proc.child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
      try {
        // The reader goes away: our ends of the server's stdout and stderr pipes are closed.
        const stdout = proc.child.stdout!;
        const stderr = proc.child.stderr!;
        const closed = Promise.all([once(stdout, "close"), once(stderr, "close")]);
        stdout.destroy();
        stderr.destroy();
        await closed;

        // Mail accepted while nobody reads the log (each delivery and session may log a line).
        const acked: string[] = [];
        const c = await RawSmtpClient.connect({ port: proc.ports.get("smtp/none")!, timeoutMs: 10_000 });
        try {
          await c.reply();
          await c.cmd("EHLO lost-output.example");
          for (let i = 0; i < 3; i++) {
            const marker = randomUUID();
            c.send("MAIL FROM:<sender@remote.example>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n");
            await c.replies(3);
            c.send(`Subject: ${marker}\r\n\r\nbody\r\n.\r\n`);
            if (/^250 /.test(await c.reply())) acked.push(marker);
          }
          await c.cmd("QUIT");
        } finally {
          c.close();
        }
        assert.equal(acked.length, 3, "the server must accept mail while its output is gone");

        proc.child.kill("SIGTERM");
        const outcome = await exitWithin(exited);
        assert.notEqual(outcome, "stuck", `no exit ${EXIT_BOUND_MS / 1000} s after SIGTERM`);
        assert.deepEqual(outcome, [0, null], "a graceful stop exits 0");

        const after = await open();
        try {
          const stored = (await inbox(after, account.id)).map((b) => b.toString());
          const missing = acked.filter((m) => !stored.some((b) => b.includes(m)));
          assert.deepEqual(missing, [], "every acknowledged message is stored");
        } finally {
          await after.close();
        }
      } finally {
        // A failed assertion leaves no server behind (its pipes closed, nothing would stop it).
        if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill("SIGKILL");
        await exited;
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
      await backend.drop();
    }
  });
}

test("serve: SIGTERM while its output reader is alive but not reading exits 0", async () => {
  // Node keeps a process alive until its pending pipe writes are written: before
  // exitDespiteStalledOutput (serve.ts), a stopped server waited for such a reader forever.
  const proc = await startServerProcess({
    listeners: [{ protocol: "smtp", tls: "none" }],
    logLevel: "debug",
  });
  const exited = once(proc.child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  try {
    // We stop reading: the pipe (64 KiB on Linux) and our stream's buffer fill, then the server's
    // lines wait in its memory.
    const stdout = proc.child.stdout!;
    stdout.removeAllListeners("data");
    stdout.pause();
    // Each session logs "connected" and "disconnected" at debug level, ~130 bytes each: 1,600
    // sessions are ~400 kB, several times what the pipe and our buffer can hold.
    const sessions = 1600;
    const port = proc.ports.get("smtp/none")!;
    const client = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const c = await RawSmtpClient.connect({ port, timeoutMs: 10_000 });
        try {
          await c.reply();
          await c.cmd("QUIT");
        } finally {
          c.close();
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, () => client(sessions / 8)));

    proc.child.kill("SIGTERM");
    const outcome = await exitWithin(exited);
    assert.notEqual(outcome, "stuck", `no exit ${EXIT_BOUND_MS / 1000} s after SIGTERM`);
    assert.deepEqual(outcome, [0, null], "a graceful stop exits 0");

    // What reached the pipe is still there: fewer "connected" lines than sessions shows the
    // server had output waiting when it left (else this test would not test the stall).
    let rest = "";
    stdout.on("data", (d: Buffer) => {
      rest += d.toString();
    });
    stdout.resume();
    await once(stdout, "end");
    const connected = (proc.output() + rest).split("\n").filter((l) => l.includes('"msg":"connected"'));
    assert.ok(connected.length < sessions, `all ${sessions} sessions' lines were read: no stall was made`);
  } finally {
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill("SIGKILL");
    await exited;
    await rm(proc.dataDir, { recursive: true, force: true });
  }
});
