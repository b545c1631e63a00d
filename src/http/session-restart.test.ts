// Issue 15: web sessions, webmail logins and JMAP tokens survive a restart (they are in the
// store, http/session.ts, jmap/http/tokens.ts), and what ends them still does: logout, a
// password change, a disable. Driven with curl and its cookie jar over HTTPS, as a browser would.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { hashPassword } from "../auth/password.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { commandSkip } from "../testing/requires.js";

const run = promisify(execFile);
const skip = commandSkip("curl");

describe("web sessions and tokens survive a restart", { skip }, () => {
  let srv: TestServer;
  let dir: string;
  before(async () => {
    srv = await startTestServer({
      users: ["web", "mail", "out", "pw", "off"].map((n) => ({
        address: `${n}@example.test`,
        password: testPassword,
      })),
    });
    dir = await mkdtemp(join(tmpdir(), "yubin-curl-"));
  });
  after(async () => {
    await srv.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const base = () => `https://127.0.0.1:${srv.ports.https}`;
  /** One curl request with the user's cookie jar: status code and body. */
  async function curl(
    jar: string,
    path: string,
    args: string[] = [],
  ): Promise<{ status: number; body: string }> {
    const { stdout } = await run(
      "curl",
      [
        "-sk",
        "--max-time",
        "20",
        "-b",
        join(dir, jar),
        "-c",
        join(dir, jar),
        "-w",
        "\n%{http_code}",
        ...args,
        `${base()}${path}`,
      ],
      { maxBuffer: 4 << 20 },
    );
    const i = stdout.lastIndexOf("\n");
    return { status: Number(stdout.slice(i + 1)), body: stdout.slice(0, i) };
  }
  /** The account pages' login form, as a browser submits it. */
  async function pageLogin(jar: string, user: string): Promise<void> {
    const form = await curl(jar, "/login");
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1];
    assert.ok(csrf, "the login form has its token");
    const r = await curl(jar, "/login", [
      "-H",
      `Origin: ${base()}`,
      "--data-urlencode",
      `_csrf=${csrf}`,
      "--data-urlencode",
      `username=${user}`,
      "--data-urlencode",
      `password=${testPassword}`,
    ]);
    assert.equal(r.status, 303, r.body);
  }
  async function webmailLogin(jar: string, user: string): Promise<void> {
    const r = await curl(jar, "/webmail/login", [
      "-H",
      "Content-Type: application/json",
      "--data",
      JSON.stringify({ username: user, password: testPassword }),
    ]);
    assert.equal(r.status, 200, r.body);
  }
  /** The webmail's bearer token, from the jar (the page never sees it: HttpOnly). */
  async function bearerOf(jar: string): Promise<string> {
    const line = (await readFile(join(dir, jar), "utf8"))
      .split("\n")
      .find((l) => l.includes("__Host-yubin_webmail"));
    const token = line?.split("\t").at(-1);
    assert.ok(token);
    return token;
  }
  const settings = (jar: string) => curl(jar, "/settings");
  const jmapSession = (token: string) =>
    curl("none", "/.well-known/jmap", ["-H", `Authorization: Bearer ${token}`]);

  test("a page session, a webmail login and its token work after a restart; logout still ends them", async () => {
    await pageLogin("web", "web@example.test");
    await webmailLogin("mail", "mail@example.test");
    const token = await bearerOf("mail");
    assert.equal((await settings("web")).status, 200);
    const before = await curl("mail", "/webmail/session");
    assert.equal(before.status, 200);
    assert.equal((await jmapSession(token)).status, 200);

    await srv.restart();

    const page = await settings("web");
    assert.equal(page.status, 200, "still logged in to the account pages");
    assert.match(page.body, /web@example\.test/);
    const after = await curl("mail", "/webmail/session");
    assert.equal(after.status, 200, "still logged in to the webmail");
    assert.deepEqual(JSON.parse(after.body), JSON.parse(before.body), "same user, same CSRF token");
    const session = await jmapSession(token);
    assert.equal(session.status, 200);
    assert.equal(JSON.parse(session.body).username, "mail@example.test");

    // Logout ends them, restart or not.
    const csrf = JSON.parse(after.body).csrf as string;
    assert.equal(
      (await curl("mail", "/webmail/logout", ["-X", "POST", "-H", `X-Yubin-CSRF: ${csrf}`])).status,
      204,
    );
    assert.equal((await jmapSession(token)).status, 401);
    const form = await settings("web");
    const pageCsrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1];
    assert.ok(pageCsrf);
    assert.equal(
      (await curl("web", "/logout", ["-H", `Origin: ${base()}`, "--data", `_csrf=${pageCsrf}`])).status,
      303,
    );
    assert.equal((await settings("web")).status, 303, "sent to the login page");
  });

  test("a password change or a disable ends sessions kept across a restart", async () => {
    await pageLogin("pw", "pw@example.test");
    await webmailLogin("pw-mail", "pw@example.test");
    await pageLogin("off", "off@example.test");
    await webmailLogin("off-mail", "off@example.test");
    await srv.restart();
    const pw = await srv.ctx.store.directory.getAccountByAddress("pw@example.test");
    const off = await srv.ctx.store.directory.getAccountByAddress("off@example.test");
    await srv.ctx.store.directory.updateAccount(pw!.id, {
      passwordHash: await hashPassword("another secret"),
    });
    await srv.ctx.store.directory.updateAccount(off!.id, { disabled: true });
    assert.equal((await settings("pw")).status, 303);
    assert.equal((await curl("pw-mail", "/webmail/session")).status, 401);
    assert.equal((await settings("off")).status, 303);
    assert.equal((await curl("off-mail", "/webmail/session")).status, 401);
  });
});
