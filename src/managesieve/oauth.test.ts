// ManageSieve logins with OAuth 2.0 bearer tokens (OAUTHBEARER, RFC 7628, and XOAUTH2) from a
// real OpenID Connect provider (src/oauth/testing/provider.ts), as IMAP takes them: offered only
// when [oauth] names a provider and only after STARTTLS; a bad token gets the JSON error
// challenge (RFC 7628 §3.2.2), answered by the client, then NO. Before TLS a token is refused
// unread (ENCRYPT-NEEDED); with two-factor login on, the account password is refused and a token
// still logs in, as over IMAP (the provider asked for its own second step).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { totpCode } from "../auth/2fa/totp.js";
import { startTestProvider, type TestProvider } from "../oauth/testing/provider.js";
import { startTestServer, type TestServer } from "../testing/harness.js";
import { plainAuth, SieveTestClient } from "./test-client.js";

const ALICE = "alice@example.test";
const b64 = (s: string) => Buffer.from(s).toString("base64");
const bearer = (user: string, token: string) => b64(`n,a=${user},\x01auth=Bearer ${token}\x01\x01`);
const xoauth2 = (user: string, token: string) => b64(`user=${user}\x01auth=Bearer ${token}\x01\x01`);

describe("ManageSieve OAUTHBEARER and XOAUTH2", () => {
  let idp: TestProvider;
  let srv: TestServer;
  let token: string;

  before(async () => {
    idp = await startTestProvider();
    srv = await startTestServer({
      users: [{ address: ALICE, password: "alice password 1" }],
      config: { oauth: { issuer: idp.issuer, audience: idp.audience, clockSkewSec: 0 } },
    });
    token = await idp.accessToken(ALICE);
  });
  after(async () => {
    await srv?.stop();
    await idp?.close();
  });

  async function secure(): Promise<SieveTestClient> {
    const c = await SieveTestClient.connect(srv.ports.managesieve!);
    assert.match(await c.readResponse(), /^"IMPLEMENTATION" "Yubin"\r\n"SASL" ""\r\n/);
    assert.equal(await c.cmd("STARTTLS"), 'OK "Begin TLS negotiation now"\r\n');
    await c.upgrade(srv.certPem);
    assert.match(
      await c.readResponse(),
      /^"IMPLEMENTATION" "Yubin"\r\n"SASL" "PLAIN LOGIN OAUTHBEARER XOAUTH2"\r\n/,
    );
    return c;
  }

  test("a token logs in with OAUTHBEARER (initial response) and XOAUTH2 (after the empty challenge)", async () => {
    const c = await secure();
    try {
      assert.equal(await c.cmd(`AUTHENTICATE "OAUTHBEARER" "${bearer(ALICE, token)}"`), 'OK "logged in"\r\n');
      assert.equal(await c.cmd("LISTSCRIPTS"), "OK\r\n");
      assert.equal(await c.cmd("UNAUTHENTICATE"), "OK\r\n");
      c.send('AUTHENTICATE "XOAUTH2"\r\n');
      assert.equal(
        await c.cmd(`{${xoauth2(ALICE, token).length}+}\r\n${xoauth2(ALICE, token)}`),
        '""\r\nOK "logged in"\r\n',
      );
    } finally {
      c.close();
    }
  });

  test("before STARTTLS no mechanism is offered and a token is refused unread (ENCRYPT-NEEDED)", async () => {
    const c = await SieveTestClient.connect(srv.ports.managesieve!);
    try {
      assert.match(await c.readResponse(), /^"IMPLEMENTATION" "Yubin"\r\n"SASL" ""\r\n/);
      for (const [mech, resp] of [
        ["OAUTHBEARER", bearer(ALICE, token)],
        ["XOAUTH2", xoauth2(ALICE, token)],
      ])
        assert.equal(
          await c.cmd(`AUTHENTICATE "${mech}" {${resp!.length}+}\r\n${resp}`),
          'NO (ENCRYPT-NEEDED) "authentication needs TLS: use STARTTLS first"\r\n',
        );
    } finally {
      c.close();
    }
  });

  test("a token logs in where two-factor login is on (the provider did the second step)", async () => {
    const id = srv.users[0]!.id;
    const t = await srv.ctx.secondFactors.newTotp({ accountId: id, address: ALICE, issuer: "Yubin" });
    assert.ok(await srv.ctx.secondFactors.confirmTotp(id, t.sealed, totpCode(t.secret, Date.now())));
    const c = await secure();
    try {
      assert.equal(
        await c.cmd(plainAuth(ALICE, "alice password 1")),
        'NO "two-factor authentication is on: use an app password"\r\n',
      );
      assert.equal(await c.cmd(`AUTHENTICATE "OAUTHBEARER" "${bearer(ALICE, token)}"`), 'OK "logged in"\r\n');
    } finally {
      c.close();
      await srv.ctx.secondFactors.disable(id);
    }
  });

  test("a token for another audience: the JSON error challenge, the client's ^A, then NO", async () => {
    const wrong = await idp.accessToken(ALICE, { resource: "https://calendar.test.example" });
    const c = await secure();
    try {
      c.send(`AUTHENTICATE "OAUTHBEARER" "${bearer(ALICE, wrong)}"\r\n`);
      const r = await c.cmd('"AQ=="');
      const [challenge, final] = r.split("\r\n");
      const error = JSON.parse(Buffer.from(challenge!.slice(1, -1), "base64").toString()) as {
        status: string;
      };
      assert.equal(error.status, "invalid_token");
      assert.equal(final, 'NO "invalid user name or password"');
    } finally {
      c.close();
    }
  });
});
