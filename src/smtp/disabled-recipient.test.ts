// Mail to a disabled account is refused in the dialogue (550 5.2.1, RFC 3463 X.2.1) unless
// [delivery] disabledAccounts = "accept"; an alias reaching it delivers to its other targets.
// Real server, swaks over port 25, exact replies.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import type { TestServer } from "../testing/harness.js";
import { commandSkip } from "../testing/requires.js";
import { RawSmtpClient } from "./test-client.js";
import { inbox, startSmtpTestServer } from "./test-server.js";

const run = promisify(execFile);

async function rcpt(port: number, to: string): Promise<string> {
  const c = await RawSmtpClient.connect({ port });
  try {
    assert.match(await c.reply(), /^220 /);
    assert.match(await c.cmd("EHLO client.example.org"), /^250-/);
    assert.equal(await c.cmd("MAIL FROM:<sender@example.org>"), "250 2.1.0 Sender OK");
    return await c.cmd(`RCPT TO:<${to}>`);
  } finally {
    c.close();
  }
}

for (const mode of ["reject", "accept"] as const) {
  describe(`delivery.disabledAccounts = ${mode}`, () => {
    let s: TestServer;
    before(async () => {
      s = await startSmtpTestServer({ config: { delivery: { disabledAccounts: mode } } });
      const bob = s.users[1]!;
      await s.store.directory.updateAccount(bob.id, { disabled: true });
      await s.store.directory.addAlias("team@example.test", ["alice@example.test", "bob@example.test"]);
    });
    after(() => s.stop());

    test("RCPT to the disabled account", async () => {
      assert.equal(
        await rcpt(s.ports.smtp, "bob@example.test"),
        mode === "reject" ? "550 5.2.1 Mailbox disabled, not accepting messages" : "250 2.1.5 Recipient OK",
      );
    });

    test("swaks to an alias of a disabled and an enabled account", {
      skip: commandSkip("swaks"),
    }, async () => {
      const [alice, bob] = [s.users[0]!, s.users[1]!];
      await run("swaks", [
        "--server",
        "127.0.0.1",
        "--port",
        String(s.ports.smtp),
        "--from",
        "sender@example.org",
        "--to",
        "team@example.test",
        "--header",
        `Subject: to the team (${mode})`,
        "--body",
        "hello",
      ]);
      const subject = `Subject: to the team (${mode})`;
      assert.equal((await inbox(s.store, alice.id)).filter((m) => m.includes(subject)).length, 1);
      assert.equal(
        (await inbox(s.store, bob.id)).filter((m) => m.includes(subject)).length,
        mode === "reject" ? 0 : 1,
      );
    });
  });
}
