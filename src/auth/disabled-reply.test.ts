// Finding 13 of issue 18, over real sockets: the right password of a disabled account gets the
// very reply a wrong password gets, on every protocol, so a guesser cannot learn that a
// password was right (and use it where the account is still enabled, or once it is again).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import { send, WebClient } from "../http/test-client.js";
import { Pop3TestClient } from "../pop3/test-client.js";
import { b64, RawSmtpClient } from "../smtp/test-client.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";

const USER = "dora@example.test";
const WRONG = "not the password at all";

describe("a disabled account's right password is answered like a wrong one (issue 18, finding 13)", () => {
  let srv: TestServer;

  before(async () => {
    srv = await startTestServer({
      users: [{ address: USER, password: testPassword }],
      // Many failures below: no delay, no refusal, so only the reply itself is compared.
      config: { auth: { throttleFreeFailures: 1000, throttleMaxFailures: 1000 } },
    });
    await srv.store.directory.updateAccount(srv.users[0]!.id, { disabled: true });
  });
  after(() => srv.stop());

  /** The reply to the right password and to a wrong one, by the same function. */
  async function both<T>(attempt: (password: string) => Promise<T>): Promise<[T, T]> {
    return [await attempt(testPassword), await attempt(WRONG)];
  }

  test("POP3: USER/PASS and AUTH PLAIN", async () => {
    const pop = async (password: string) => {
      const c = await Pop3TestClient.connect(srv.ports.pop3s, { tls: true, ca: srv.certPem });
      await c.readLine();
      const pass = await c.login(USER, password);
      const plain = await c.cmd(`AUTH PLAIN ${b64(`\0${USER}\0${password}`)}`);
      c.send("QUIT");
      return `${pass}\n${plain}`;
    };
    const [right, wrong] = await both(pop);
    assert.equal(right, wrong);
    assert.equal(
      wrong,
      "-ERR [AUTH] invalid user name or password\n-ERR [AUTH] invalid user name or password",
    );
  });

  test("web login page: same status and page (its fresh form token aside)", async () => {
    const page = async (password: string) => {
      const r = await new WebClient(srv.ports.https!, srv.certPem).login(USER, password);
      return {
        status: r.status,
        body: r.body.replace(/name="_csrf" value="[^"]+"/g, 'name="_csrf" value=""'),
      };
    };
    const [right, wrong] = await both(page);
    assert.deepEqual(right, wrong);
    assert.equal(wrong.status, 401);
  });

  test("webmail login (JSON): same status, headers and body, byte for byte", async () => {
    const port = srv.ports.https!;
    const webmail = async (password: string) => {
      const r = await send({
        port,
        ca: srv.certPem,
        host: `localhost:${port}`,
        path: "/webmail/login",
        method: "POST",
        headers: { "Content-Type": "application/json", Origin: `https://localhost:${port}` },
        body: JSON.stringify({ username: USER, password }),
      });
      const { date: _date, ...headers } = r.headers;
      return { status: r.status, headers, body: r.body };
    };
    const [right, wrong] = await both(webmail);
    assert.deepEqual(right, wrong);
    assert.equal(wrong.status, 401);
  });

  test("IMAP, SMTP and JMAP Basic answer the same too", async () => {
    const imap = async (password: string) => {
      const c = new ImapFlow({
        host: "127.0.0.1",
        port: srv.ports.imaps!,
        secure: true,
        tls: { ca: srv.certPem, servername: "mail.example.test" },
        auth: { user: USER, pass: password },
        logger: false,
      });
      const e = await c.connect().then(
        () => null,
        (err: { response?: string }) => err.response ?? String(err),
      );
      c.close();
      return e;
    };
    const [imapRight, imapWrong] = await both(imap);
    assert.equal(imapRight, imapWrong);
    assert.match(String(imapWrong), /NO \[AUTHENTICATIONFAILED\] Authentication failed/);

    const smtp = async (password: string) => {
      const c = await RawSmtpClient.connect({ port: srv.ports.submissions, tls: true });
      await c.reply();
      await c.cmd("EHLO client.example");
      const r = await c.cmd(`AUTH PLAIN ${b64(`\0${USER}\0${password}`)}`);
      c.send("QUIT\r\n");
      return r;
    };
    const [smtpRight, smtpWrong] = await both(smtp);
    assert.equal(smtpRight, smtpWrong);
    assert.equal(smtpWrong, "535 5.7.8 Authentication credentials invalid");

    const port = srv.ports.https!;
    const jmap = async (password: string) => {
      const r = await send({
        port,
        ca: srv.certPem,
        host: `localhost:${port}`,
        path: "/.well-known/jmap",
        headers: { Authorization: `Basic ${b64(`${USER}:${password}`)}` },
      });
      const { date: _date, ...headers } = r.headers;
      return { status: r.status, headers, body: r.body };
    };
    const [jmapRight, jmapWrong] = await both(jmap);
    assert.deepEqual(jmapRight, jmapWrong);
    assert.equal(jmapWrong.status, 401);
  });
});
