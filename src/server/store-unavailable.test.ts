// A database outage as each protocol answers it (issue 17): the store's StoreError "unavailable"
// (what the PostgreSQL store throws when the database is down) is a temporary failure that
// leaves the connection usable — SMTP 451 4.3.0 (RCPT, end of DATA: no 250, nothing stored),
// IMAP NO [UNAVAILABLE] (RFC 5530), POP3 -ERR [SYS/TEMP] (RFC 3206), ManageSieve NO (TRYLATER)
// (RFC 5804), JMAP serverUnavailable (RFC 8620 3.6.2), HTTP 503 with Retry-After. The outage is
// injected into the real store (testing/failing-store.ts); each client then sends the same
// command again on the same connection and it works.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { plainAuth, SieveTestClient } from "../managesieve/test-client.js";
import { RawSmtpClient } from "../smtp/test-client.js";
import { failingStore } from "../testing/failing-store.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { inbox } from "../testing/mailbox.js";
import { commandSkip } from "../testing/requires.js";

const run = promisify(execFile);
const ACCEPTED = /^250 2\.0\.0 OK: queued as [0-9A-Z]{12}$/;
const SMTP_UNAVAILABLE = "451 4.3.0 Mail system temporarily unavailable, try again later";

describe("store unavailable", { skip: commandSkip("curl") || commandSkip("python3") }, () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({
      config: {
        imap: { allowPlaintextAuth: true },
        pop3: { allowPlaintextAuth: true },
        managesieve: { allowPlaintextAuth: true },
      },
    });
  });
  after(() => s?.stop());

  async function smtp(): Promise<RawSmtpClient> {
    const c = await RawSmtpClient.connect({ port: s.ports.smtp });
    assert.equal(await c.reply(), "220 mail.example.test ESMTP Yubin");
    assert.match(await c.cmd("EHLO client.example"), /^250-mail\.example\.test/);
    return c;
  }

  async function mailTo(c: RawSmtpClient, to: string, subject: string): Promise<string> {
    assert.equal(await c.cmd("MAIL FROM:<sender@remote.example>"), "250 2.1.0 Sender OK");
    assert.equal(await c.cmd(`RCPT TO:<${to}>`), "250 2.1.5 Recipient OK");
    assert.equal(await c.cmd("DATA"), "354 End data with <CR><LF>.<CR><LF>");
    c.send(`From: sender@remote.example\r\nTo: ${to}\r\nSubject: ${subject}\r\n\r\nHello\r\n.\r\n`);
    return c.reply();
  }

  test("SMTP: 451 4.3.0 at RCPT and at the end of DATA, nothing stored; the same connection then delivers", async () => {
    const alice = s.users[0]!;
    const c = await smtp();
    // RCPT reads a recipient in one look-up (DirectoryStore.lookupRecipient).
    const lookup = failingStore(s.store, "directory", "lookupRecipient", { times: 1 });
    assert.equal(await c.cmd("MAIL FROM:<sender@remote.example>"), "250 2.1.0 Sender OK");
    assert.equal(await c.cmd(`RCPT TO:<${alice.address}>`), SMTP_UNAVAILABLE);
    assert.equal(lookup.refused, 1);
    assert.equal(await c.cmd(`RCPT TO:<${alice.address}>`), "250 2.1.5 Recipient OK");
    assert.equal(await c.cmd("RSET"), "250 2.0.0 OK");

    const subject = `outage-${Date.now()}`;
    const deliver = failingStore(s.store, "mail", "deliver");
    assert.equal(await mailTo(c, alice.address, subject), SMTP_UNAVAILABLE);
    assert.ok(deliver.refused >= 1);
    deliver.lift();
    const stored = async () => (await inbox(s.store, alice.id)).filter((b) => b.includes(subject)).length;
    assert.equal(await stored(), 0, "a 451 stored nothing");
    assert.match(await mailTo(c, alice.address, subject), ACCEPTED);
    assert.equal(await stored(), 1);
    assert.equal(await c.cmd("QUIT"), "221 2.0.0 Bye");
  });

  test("SMTP AUTH: a login that cannot be checked is 454 4.7.0; the retry logs in", async () => {
    const c = await RawSmtpClient.connect({ port: s.ports.submissions, tls: true });
    try {
      assert.equal(await c.reply(), "220 mail.example.test ESMTP Yubin");
      assert.match(await c.cmd("EHLO client.example"), /^250-mail\.example\.test/);
      const plain = Buffer.from(`\0${s.users[0]!.address}\0${testPassword}`).toString("base64");
      const fault = failingStore(s.store, "directory", "getAccountByAddress", { times: 1 });
      assert.equal(
        await c.cmd(`AUTH PLAIN ${plain}`),
        "454 4.7.0 Temporary authentication failure, try again later",
      );
      assert.equal(fault.refused, 1);
      assert.equal(await c.cmd(`AUTH PLAIN ${plain}`), "235 2.7.0 Authentication successful");
    } finally {
      c.close();
    }
  });

  test("IMAP (imaplib): LOGIN and SELECT get NO [UNAVAILABLE], then work on the same connection", async () => {
    const login = failingStore(s.store, "directory", "getAccountByAddress", { times: 1 });
    const select = failingStore(s.store, "mail", "selectMailbox", { times: 1 });
    const py = `
import imaplib, json, sys
c = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]), timeout=20)
out = []
def attempt(f):
    try:
        typ, data = f()
        out.append(typ + " " + data[0].decode())
    except imaplib.IMAP4.error as e:
        out.append("ERR " + str(e))
attempt(lambda: c.login("bob@example.test", sys.argv[2]))
attempt(lambda: c.login("bob@example.test", sys.argv[2]))
attempt(lambda: c.select("INBOX"))
attempt(lambda: c.select("INBOX"))
c.logout()
print(json.dumps(out))
`;
    const r = await run("python3", ["-c", py, String(s.ports.imap), testPassword], { timeout: 30_000 });
    const out = JSON.parse(r.stdout) as string[];
    assert.equal(out[0], "ERR b'[UNAVAILABLE] Mail store temporarily unavailable, try again later'");
    assert.match(out[1]!, /^OK /);
    assert.deepEqual(out.slice(2), [
      "NO [UNAVAILABLE] Mail store temporarily unavailable, try again later",
      "OK 0",
    ]);
    assert.deepEqual([login.refused, select.refused], [1, 1]);
  });

  test("POP3 (poplib): RETR gets -ERR [SYS/TEMP], then works on the same connection", async () => {
    const bob = s.users[1]!;
    const c = await smtp();
    assert.match(await mailTo(c, bob.address, "for pop3"), ACCEPTED);
    c.close();
    const fault = failingStore(s.store, "mail", "readBody", { times: 1 });
    const py = `
import poplib, json, sys
c = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=20)
c.user("bob@example.test"); c.pass_(sys.argv[2])
out = []
for _ in range(2):
    try:
        resp, lines, octets = c.retr(1)
        out.append(resp.decode() + " " + lines[-1].decode())
    except poplib.error_proto as e:
        out.append(e.args[0].decode())
c.quit()
print(json.dumps(out))
`;
    const r = await run("python3", ["-c", py, String(s.ports.pop3), testPassword], { timeout: 30_000 });
    const [failed, retried] = JSON.parse(r.stdout) as [string, string];
    assert.equal(failed, "-ERR [SYS/TEMP] mail store temporarily unavailable, try again later");
    assert.match(retried, /^\+OK .* Hello$/);
    assert.equal(fault.refused, 1);
  });

  test("ManageSieve: LISTSCRIPTS gets NO (TRYLATER), then works on the same connection", async () => {
    const c = await SieveTestClient.connect(s.ports.managesieve!);
    try {
      await c.readResponse();
      assert.equal(await c.cmd(plainAuth(s.users[0]!.address, testPassword)), 'OK "logged in"\r\n');
      const fault = failingStore(s.store, "sieve", "list", { times: 1 });
      assert.equal(
        await c.cmd("LISTSCRIPTS"),
        'NO (TRYLATER) "mail store temporarily unavailable, try again later"\r\n',
      );
      assert.equal(fault.refused, 1);
      assert.equal(await c.cmd("LISTSCRIPTS"), "OK\r\n");
    } finally {
      c.close();
    }
  });

  test("JMAP (curl): a method gets serverUnavailable; a login that cannot be checked gets 503", async () => {
    const curl = async (body: object) => {
      const r = await run(
        "curl",
        [
          ...["-sS", "-k", "-i", "-u", `${s.users[0]!.address}:${testPassword}`],
          ...["-H", "Content-Type: application/json", "--data-binary", JSON.stringify(body)],
          `https://127.0.0.1:${s.ports.https}/jmap/api`,
        ],
        { timeout: 30_000 },
      );
      const [head = "", json = ""] = r.stdout.split("\r\n\r\n");
      return { head, json };
    };
    const accountId = `A${s.users[0]!.id}`;
    const req = {
      using: ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"],
      methodCalls: [["Mailbox/get", { accountId, ids: null, properties: ["name"] }, "0"]],
    };
    const fault = failingStore(s.store, "mail", "listMailboxes");
    const failed = await curl(req);
    assert.match(failed.head, /^HTTP\/1\.1 200 /);
    assert.deepEqual(JSON.parse(failed.json).methodResponses, [
      [
        "error",
        { type: "serverUnavailable", description: "mail store temporarily unavailable, try again later" },
        "0",
      ],
    ]);
    assert.ok(fault.refused >= 1);
    fault.lift();
    const ok = await curl(req);
    assert.equal(JSON.parse(ok.json).methodResponses[0][0], "Mailbox/get");

    const login = failingStore(s.store, "directory", "getAccountByAddress", { times: 1 });
    const refused = await curl(req);
    assert.match(refused.head, /^HTTP\/1\.1 503 /);
    assert.match(refused.head, /\r\nretry-after: 5\r\n/i);
    assert.equal(login.refused, 1);
    assert.equal(JSON.parse((await curl(req)).json).methodResponses[0][0], "Mailbox/get");
  });

  test("HTTP (curl): a page or webmail call whose store call fails is 503 with Retry-After, then served", async () => {
    const get = () =>
      run(
        "curl",
        [
          ...["-sS", "-i", "-H", "Host: autoconfig.example.test"],
          `http://127.0.0.1:${s.ports.http}/mail/config-v1.1.xml?emailaddress=alice%40example.test`,
        ],
        { timeout: 30_000 },
      );
    const fault = failingStore(s.store, "directory", "getDomain", { times: 1 });
    const r = await get();
    assert.match(r.stdout, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
    assert.match(r.stdout, /\r\nRetry-After: 5\r\n/);
    assert.match(r.stdout, /The mail store is temporarily unavailable/);
    assert.equal(fault.refused, 1);
    assert.match((await get()).stdout, /^HTTP\/1\.1 200 OK\r\n/);

    // The webmail's JSON API: 503 with Retry-After too, then the login goes through.
    const login = () =>
      run(
        "curl",
        [
          ...["-sS", "-k", "-i", "-H", "Content-Type: application/json", "--data-binary"],
          JSON.stringify({ username: s.users[0]!.address, password: testPassword }),
          `https://127.0.0.1:${s.ports.https}/webmail/login`,
        ],
        { timeout: 30_000 },
      );
    const account = failingStore(s.store, "directory", "getAccountByAddress", { times: 1 });
    const refused = (await login()).stdout;
    assert.match(refused, /^HTTP\/1\.1 503 /);
    assert.match(refused, /\r\nRetry-After: 5\r\n/i);
    assert.match(refused, /\r\n\r\n\{"error":"unavailable"\}$/);
    assert.equal(account.refused, 1);
    assert.match((await login()).stdout, /^HTTP\/1\.1 200 /);
  });
});
