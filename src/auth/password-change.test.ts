// Finding 10 of issue 18, over real sockets: a password reset ends every web session and bearer
// token the account had, whether the admin page made it (this process) or `yubin user passwd`
// (another process writing the same database), and the old password no longer logs in even
// where a recent login of it is cached.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { request as httpsRequest } from "node:https";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { ImapFlow } from "imapflow";
import { send, WebClient } from "../http/test-client.js";
import { cliConfigFor } from "../testing/cli-config.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";

const bin = resolve(import.meta.dirname, "../../bin/yubin.js");
const run = promisify(execFile);

describe("a password change ends the account's sessions and tokens (issue 18, finding 10)", () => {
  let srv: TestServer;
  let admin: WebClient;

  before(async () => {
    srv = await startTestServer({
      users: [
        { address: "admin@example.test", password: testPassword, isAdmin: true },
        { address: "carol@example.test", password: testPassword },
        { address: "dave@example.test", password: testPassword },
        { address: "erin@example.test", password: testPassword },
      ],
      config: { jmap: { pushRecheckSec: 1 } },
    });
    admin = new WebClient(srv.ports.https!, srv.certPem);
    assert.equal((await admin.login("admin@example.test", testPassword)).status, 303);
  });
  after(() => srv.stop());

  const port = () => srv.ports.https!;
  const host = () => `localhost:${port()}`;

  /** Webmail login: the cookie value, which is also the JMAP bearer token. */
  async function webmailToken(user: string, password: string): Promise<string> {
    const r = await send({
      port: port(),
      ca: srv.certPem,
      host: host(),
      path: "/webmail/login",
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: `https://${host()}` },
      body: JSON.stringify({ username: user, password }),
    });
    assert.equal(r.status, 200, r.body);
    const token = /__Host-yubin_webmail=([^;]+)/.exec(r.setCookies.join("\n"))?.[1];
    assert.ok(token);
    return token;
  }
  const jmapSession = async (token: string) =>
    (
      await send({
        port: port(),
        ca: srv.certPem,
        host: host(),
        path: "/.well-known/jmap",
        headers: { Authorization: `Bearer ${token}` },
      })
    ).status;
  const webmailSession = async (token: string) =>
    (
      await send({
        port: port(),
        ca: srv.certPem,
        host: host(),
        path: "/webmail/session",
        headers: { Cookie: `__Host-yubin_webmail=${token}` },
      })
    ).status;
  const imapLogin = async (user: string, pass: string) => {
    const c = new ImapFlow({
      host: "127.0.0.1",
      port: srv.ports.imaps!,
      secure: true,
      tls: { ca: srv.certPem, servername: "mail.example.test" },
      auth: { user, pass },
      logger: false,
    });
    await c.connect();
    await c.logout();
  };

  test("reset on the admin page: the old bearer token and webmail cookie get 401", async () => {
    const token = await webmailToken("carol@example.test", testPassword);
    assert.equal(await jmapSession(token), 200);
    assert.equal(await webmailSession(token), 200);
    const id = (await srv.store.directory.getAccountByAddress("carol@example.test"))!.id;
    const res = await admin.submit("/admin/users", `/admin/users/${id}/password`, {
      password: "a brand new secret",
    });
    assert.equal(res.status, 303);
    assert.equal(await jmapSession(token), 401, "old token after the reset");
    assert.equal(await webmailSession(token), 401, "old webmail cookie after the reset");
    // The new password gets a working token.
    assert.equal(await jmapSession(await webmailToken("carol@example.test", "a brand new secret")), 200);
  });

  test("an open EventSource stream of the account is closed after a reset", async () => {
    const token = await webmailToken("erin@example.test", testPassword);
    const ended = await new Promise<{ status: number; closedAfterReset: boolean }>(
      (resolveStream, reject) => {
        let reset = false;
        const req = httpsRequest(
          {
            host: "127.0.0.1",
            port: port(),
            path: "/jmap/eventsource?types=*&closeafter=no&ping=0",
            ca: srv.certPem,
            servername: "localhost",
            headers: { Host: host(), Authorization: `Bearer ${token}` },
          },
          (res) => {
            res.once("data", () => {
              // The stream is open: reset the password.
              void (async () => {
                const id = (await srv.store.directory.getAccountByAddress("erin@example.test"))!.id;
                // Set before the reset: the stream now ends at once (the login-change feed),
                // possibly before the admin page's answer arrives.
                reset = true;
                const r = await admin.submit("/admin/users", `/admin/users/${id}/password`, {
                  password: "erin's new secret",
                });
                assert.equal(r.status, 303);
              })().catch(reject);
            });
            res.on("data", () => {});
            res.once("end", () => resolveStream({ status: res.statusCode ?? 0, closedAfterReset: reset }));
          },
        );
        req.setTimeout(15_000, () => req.destroy(new Error("the stream was not closed")));
        req.on("error", reject);
        req.end();
      },
    );
    assert.deepEqual(ended, { status: 200, closedAfterReset: true });
  });

  test("`yubin user passwd` in another process: tokens, web sessions and the cached login end", async () => {
    const user = "dave@example.test";
    const token = await webmailToken(user, testPassword);
    const page = new WebClient(port(), srv.certPem);
    assert.equal((await page.login(user, testPassword)).status, 303);
    assert.equal((await page.get("/settings")).status, 200);
    await imapLogin(user, testPassword); // now in the verified-login cache
    assert.equal(await jmapSession(token), 200);

    const configPath = join(srv.dataDir, "yubin.toml");
    await writeFile(configPath, cliConfigFor(srv));
    const child = run(
      process.execPath,
      [bin, "--config", configPath, "user", "passwd", user, "--password-stdin"],
      {
        timeout: 60_000,
      },
    );
    child.child.stdin?.end("changed by the cli, long enough\n");
    assert.equal((await child).stdout, `password changed for ${user}\n`);

    assert.equal(await jmapSession(token), 401, "old token after the CLI reset");
    assert.equal(await webmailSession(token), 401, "old webmail cookie after the CLI reset");
    assert.equal((await page.get("/settings")).status, 303, "old page session after the CLI reset");
    await assert.rejects(imapLogin(user, testPassword), "the cached old password");
    await imapLogin(user, "changed by the cli, long enough");
  });
});
