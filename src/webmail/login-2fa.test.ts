// The webmail's JSON login with two-factor login on (issue 15), over the real HTTPS listener:
// the password alone gives no token but 401 {error: "second-factor"} and the pending cookie; the
// code then finishes the login (a wrong or replayed one refused), a recovery code works once;
// auth.require2fa=all answers 403 two-factor-setup to an account without it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { totpCode } from "../auth/2fa/totp.js";
import { send, type TestResponse } from "../http/test-client.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";

const ALICE = "alice@example.test";

class JsonClient {
  readonly cookies = new Map<string, string>();
  constructor(readonly srv: TestServer) {}
  async post(path: string, body: unknown): Promise<TestResponse & { json: Record<string, unknown> }> {
    const port = this.srv.ports.https!;
    const res = await send({
      port,
      ca: this.srv.certPem,
      host: `localhost:${port}`,
      path,
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Origin: `https://localhost:${port}`,
        ...(this.cookies.size ? { Cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ") } : {}),
      },
      body: JSON.stringify(body),
    });
    for (const c of res.setCookies) {
      const [pair] = c.split(";");
      const eq = pair!.indexOf("=");
      if (/Max-Age=0/i.test(c)) this.cookies.delete(pair!.slice(0, eq));
      else this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    return { ...res, json: res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {} };
  }
}

describe("webmail login with two-factor login", () => {
  let srv: TestServer;
  let secret = "";
  let recovery: string[] = [];
  before(async () => {
    srv = await startTestServer({ users: [{ address: ALICE, password: testPassword }] });
    const id = srv.users[0]!.id;
    const t = await srv.ctx.secondFactors.newTotp({ accountId: id, address: ALICE, issuer: "Yubin" });
    secret = t.secret;
    recovery = (await srv.ctx.secondFactors.confirmTotp(id, t.sealed, totpCode(secret, Date.now()))) ?? [];
    assert.equal(recovery.length, 10);
  });
  after(() => srv.stop());

  async function passwordStep(): Promise<JsonClient> {
    const c = new JsonClient(srv);
    const r = await c.post("/webmail/login", { username: ALICE, password: testPassword });
    assert.equal(r.status, 401);
    assert.equal(r.json.error, "second-factor");
    assert.equal(r.json.passkey, null, "no passkey registered: no WebAuthn options");
    assert.ok(c.cookies.has("__Host-yubin_2fa"));
    assert.ok(!c.cookies.has("__Host-yubin_webmail"), "no token before the second step");
    return c;
  }

  test("password, then a TOTP code: the token is issued; a replayed or wrong code is refused", async () => {
    const c = await passwordStep();
    const code = totpCode(secret, Date.now() + 30_000);
    const wrong = await c.post("/webmail/login/2fa", { code: code === "000000" ? "111111" : "000000" });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.error, "invalid");
    const ok = await c.post("/webmail/login/2fa", { code });
    assert.equal(ok.status, 200);
    assert.equal(ok.json.username, ALICE);
    assert.ok(c.cookies.has("__Host-yubin_webmail"));
    assert.ok(!c.cookies.has("__Host-yubin_2fa"));

    const again = await passwordStep();
    assert.equal((await again.post("/webmail/login/2fa", { code })).status, 401, "each code once");
  });

  test("a recovery code works once; without the pending cookie the step is refused", async () => {
    const c = await passwordStep();
    assert.equal((await c.post("/webmail/login/2fa", { code: recovery[0] })).status, 200);
    const d = await passwordStep();
    assert.equal((await d.post("/webmail/login/2fa", { code: recovery[0] })).status, 401);
    const stranger = new JsonClient(srv);
    const r = await stranger.post("/webmail/login/2fa", { code: recovery[1] });
    assert.equal(r.status, 401);
    assert.equal(r.json.error, "expired");
  });
});

describe("webmail login with auth.require2fa=all", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({
      config: { auth: { require2fa: "all" } },
      users: [{ address: ALICE, password: testPassword }],
    });
  });
  after(() => srv.stop());

  test("an account without 2FA is told to set it up on the login pages, with no token", async () => {
    const c = new JsonClient(srv);
    const r = await c.post("/webmail/login", { username: ALICE, password: testPassword });
    assert.equal(r.status, 403);
    assert.deepEqual(r.json, { error: "two-factor-setup", location: "/login" });
    assert.ok(!c.cookies.has("__Host-yubin_webmail"));
  });
});
