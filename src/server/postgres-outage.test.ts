// PostgreSQL going away under a running server (issue 17): the database is killed (SIGKILL, a
// crash), clients get the temporary answers on connections that stay open — SMTP 451 4.3.0 at
// RCPT and at the end of DATA (never a 250 for mail not committed), IMAP NO [UNAVAILABLE] —
// and once it is back the same connections work again and the mail refused during the outage
// is not there. Real PostgreSQL (testing/postgres.ts), real clients.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { RawSmtpClient } from "../smtp/test-client.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { inbox } from "../testing/mailbox.js";
import { type PrivatePostgres, postgresSkip, startPostgres } from "../testing/postgres.js";
import { commandSkip } from "../testing/requires.js";

const UNAVAILABLE = "451 4.3.0 Mail system temporarily unavailable, try again later";
const ACCEPTED = /^250 2\.0\.0 OK: queued as [0-9A-Z]{12}$/;

describe("PostgreSQL outage", { skip: postgresSkip() || commandSkip("python3") }, () => {
  let pg: PrivatePostgres;
  let s: TestServer;

  before(async () => {
    // Durable (synchronous_commit and fsync on, as in production): the tests' fast setting
    // acknowledges a COMMIT before its WAL is written, and a crash may lose it by design.
    pg = await startPostgres({ durable: true });
    s = await startTestServer({
      config: {
        storage: { backend: "postgres", postgresUrl: pg.url, postgresConnectTimeoutMs: 1000 },
        imap: { allowPlaintextAuth: true },
      },
    });
  });
  after(async () => {
    await s?.stop();
    await pg?.stop();
  });

  async function transaction(c: RawSmtpClient, to: string, subject: string): Promise<string[]> {
    const out = [await c.cmd("MAIL FROM:<sender@remote.example>"), await c.cmd(`RCPT TO:<${to}>`)];
    if (!out[1]!.startsWith("250")) {
      out.push(await c.cmd("RSET"));
      return out;
    }
    out.push(await c.cmd("DATA"));
    c.send(`From: sender@remote.example\r\nTo: ${to}\r\nSubject: ${subject}\r\n\r\nHello\r\n.\r\n`);
    out.push(await c.reply());
    return out;
  }

  test("SMTP and IMAP answer the outage as temporary and work again on the same connections", async () => {
    const alice = s.users[0]!;
    const smtp = await RawSmtpClient.connect({ port: s.ports.smtp, timeoutMs: 30_000 });
    assert.equal(await smtp.reply(), "220 mail.example.test ESMTP Yubin");
    assert.match(await smtp.cmd("EHLO client.example"), /^250-/);
    const before = await transaction(smtp, alice.address, "before the outage");
    assert.match(before.at(-1)!, ACCEPTED);

    // imaplib holds one IMAP connection across the outage: it waits for a line on stdin
    // between its two SELECTs.
    const py = `
import imaplib, json, sys
c = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]), timeout=30)
c.login("bob@example.test", sys.argv[2])
out = []
for _ in range(60):
    if not sys.stdin.readline():
        break
    try:
        typ, data = c.select("INBOX")
        out.append(typ + " " + data[0].decode())
    except imaplib.IMAP4.error as e:
        out.append("ERR " + str(e))
    print(json.dumps(out), flush=True)
c.logout()
`;
    const child = execFile("python3", ["-c", py, String(s.ports.imap), testPassword], { timeout: 60_000 });
    let stdout = "";
    child.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    const step = async (n: number): Promise<string[]> => {
      child.stdin?.write("\n");
      const deadline = Date.now() + 30_000;
      while (stdout.trim().split("\n").filter(Boolean).length < n && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      return JSON.parse(stdout.trim().split("\n").at(-1) ?? "[]") as string[];
    };
    assert.deepEqual(await step(1), ["OK 0"]);

    pg.kill();
    // Backends the postmaster left may answer a moment longer: until the outage shows, mail may
    // still be committed, and then it must be acknowledged; what is refused must not be stored.
    const accepted = ["before the outage"];
    let during: string[] = [];
    for (let i = 0; i < 40; i++) {
      const subject = `during the outage ${i}`;
      during = await transaction(smtp, alice.address, subject);
      if (during.at(-1)?.match(ACCEPTED)) accepted.push(subject);
      if (during.includes(UNAVAILABLE)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(during.includes(UNAVAILABLE), during.join(" / "));
    let imap: string[] = [];
    for (let n = 2; n < 40; n++) {
      imap = await step(n);
      if (!imap.at(-1)?.startsWith("OK ")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(imap.at(-1), "NO [UNAVAILABLE] Mail store temporarily unavailable, try again later");

    await pg.restart();
    // The pool reconnects at the next call; a call or two may still meet the old connections.
    let after: string[] = [];
    for (let i = 0; i < 20; i++) {
      after = await transaction(smtp, alice.address, "after the outage");
      if (after.at(-1)?.startsWith("250")) break;
      assert.ok(after.includes(UNAVAILABLE), after.join(" / "));
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.match(after.at(-1)!, ACCEPTED);
    accepted.push("after the outage");
    assert.match((await step(imap.length + 1)).at(-1)!, /^OK \d+$/);
    assert.equal(await smtp.cmd("QUIT"), "221 2.0.0 Bye");
    child.stdin?.end();

    // Acknowledged = committed: every 250 is there, nothing refused is.
    const subjects = (await inbox(s.store, alice.id)).map(
      (b) => /\r\nSubject: ([^\r]*)/.exec(b.toString())?.[1],
    );
    assert.deepEqual(subjects, accepted);
  });
});
