// The admin's Login throttle page over HTTPS against a running server: it lists the pair an
// attacker at 127.0.0.21 got refused on (with the account's address, failures, state and end),
// the address and the account counts, escapes what guessers typed; Clear needs the CSRF token,
// is audited, and lets that pair log in again at once.
import assert from "node:assert/strict";
import { connect as netConnect } from "node:net";
import { after, before, describe, test } from "node:test";
import { connect as tlsConnect } from "node:tls";
import { WebClient } from "../http/test-client.js";
import { createLogger } from "../log/logger.js";
import { b64 } from "../smtp/test-client.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";

const ATTACKER = "127.0.0.21";

describe("admin Login throttle page", () => {
  let srv: TestServer;
  let web: WebClient;
  const lines: Record<string, unknown>[] = [];

  before(async () => {
    srv = await startTestServer({
      users: [
        { address: "admin@example.test", password: testPassword, isAdmin: true },
        { address: "carol@example.test", password: testPassword },
      ],
      config: { auth: { throttleFreeFailures: 3, throttleMaxFailures: 3, throttleBaseDelayMs: 0 } },
      log: createLogger({ format: "json", level: "info", write: (l) => lines.push(JSON.parse(l)) }),
    });
    web = new WebClient(srv.ports.https!, srv.certPem);
    assert.equal((await web.login("admin@example.test", testPassword)).status, 303);
  });
  after(() => srv.stop());

  /** One IMAP AUTHENTICATE PLAIN from `from`: the tagged reply's status and response code. */
  function imapAuth(from: string, user: string, pass: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const tcp = netConnect({ host: "127.0.0.1", port: srv.ports.imaps!, localAddress: from });
      const s = tlsConnect({ socket: tcp, ca: srv.certPem, servername: "mail.example.test" });
      let buf = "";
      let sent = false;
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`no reply; got ${JSON.stringify(buf)}`));
      }, 30_000);
      s.on("data", (d: Buffer) => {
        buf += d.toString("utf8");
        if (!sent && buf.includes("\r\n")) {
          sent = true;
          s.write(`a AUTHENTICATE PLAIN ${b64(`\0${user}\0${pass}`)}\r\n`);
        }
        const tagged = /^a (OK|NO|BAD)(?: \[([A-Z]+))?/m.exec(buf);
        if (tagged) {
          clearTimeout(timer);
          s.destroy();
          // An OK carries the capabilities as its code: only a NO's code says why.
          resolve(tagged[1] === "OK" ? "OK" : `${tagged[1]} ${tagged[2] ?? ""}`.trimEnd());
        }
      });
      s.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  test("lists the refused pair, the address and the account; escapes guessed names", async () => {
    for (let i = 0; i < 3; i++)
      assert.equal(await imapAuth(ATTACKER, "carol@example.test", `guess ${i}`), "NO AUTHENTICATIONFAILED");
    assert.equal(await imapAuth(ATTACKER, "carol@example.test", testPassword), "NO UNAVAILABLE");
    assert.equal(await imapAuth(ATTACKER, "<b>mallory</b>@example.test", "x"), "NO AUTHENTICATIONFAILED");

    const page = await web.get("/admin/throttle");
    assert.equal(page.status, 200);
    assert.match(page.body, /<a href="\/admin\/throttle">Login throttle<\/a>/);
    const row = (re: RegExp) => page.body.split("<tr>").find((r) => re.test(r)) ?? "";
    const pair = row(/address and account<\/td><td>127\.0\.0\.21<\/td><td>carol@example\.test</);
    assert.match(pair, /<td>3<\/td>\s*<td><\/td><td>refused<\/td><td>\d{4}-\d\d-\d\dT[^<]+ \(\d+ s\)<\/td>/);
    assert.match(pair, /name="id" value="pair:127\.0\.0\.21\|id:\d+"/);
    const address = row(/<td>address<\/td><td>127\.0\.0\.21<\/td>/);
    assert.match(address, /<td>4<\/td>\s*<td>2<\/td><td>delayed<\/td>/);
    assert.match(row(/<td>account<\/td><td>\(all addresses\)<\/td><td>carol@example\.test</), /<td>3<\/td>/);
    assert.doesNotMatch(page.body, /<b>mallory/);
    assert.match(page.body, /&lt;b&gt;mallory&lt;\/b&gt;@example\.test \(no such account\)/);
  });

  test("Clear needs the CSRF token, is audited, and frees the pair at once", async () => {
    const page = await web.get("/admin/throttle");
    const id = /name="id" value="(pair:127\.0\.0\.21\|id:\d+)"/.exec(page.body)?.[1];
    assert.ok(id);
    const forged = await web.post("/admin/throttle/clear", { id });
    assert.equal(forged.status, 403);
    assert.equal(await imapAuth(ATTACKER, "carol@example.test", testPassword), "NO UNAVAILABLE");

    const res = await web.submit("/admin/throttle", "/admin/throttle/clear", { id });
    assert.equal(res.status, 303);
    assert.equal(
      res.headers.location,
      `/admin/throttle?done=throttle.clear&target=${encodeURIComponent(id)}`,
    );
    const audit = lines.filter((l) => l.msg === "admin action" && l.action === "throttle.clear");
    assert.deepEqual(
      audit.map((l) => [l.admin, l.target, l.ok]),
      [["admin@example.test", id, true]],
    );
    assert.match(
      (await web.get(res.headers.location)).body,
      /Failed logins forgotten for pair:127\.0\.0\.21/,
    );
    assert.equal(await imapAuth(ATTACKER, "carol@example.test", testPassword), "OK");

    const again = await web.submit("/admin/throttle", "/admin/throttle/clear", { id: "bogus" });
    assert.equal(again.status, 400);
    assert.match(again.body, /Nothing to clear: bogus/);
  });
});
