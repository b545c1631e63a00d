// OpenID Connect login for the web pages against a real provider (oidc-provider, run by the
// test): the login page shows "Sign in with <provider>", /login/oidc sends the browser to the
// provider's authorization endpoint with PKCE (S256), state and nonce; after login and consent
// there, the callback exchanges the code, maps the ID token's email to the account and starts the
// normal web session (or, for the webmail, its token cookie). The state is bound to the browser (no cookie, no login), used once, and a
// provider user without a mailbox here is refused. Driven as scripted HTTP, cookies by hand.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { send, type TestResponse } from "../http/test-client.js";
import { startTestServer, type TestServer } from "../testing/harness.js";
import {
  startTestProvider,
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
  type TestProvider,
} from "./testing/provider.js";

const ALICE = "alice@example.test";

describe("OpenID Connect web login", () => {
  let idp: TestProvider;
  let srv: TestServer;
  let host: string;
  let srv2fa: TestServer;
  let host2fa: string;

  before(async () => {
    idp = await startTestProvider({
      redirectUris: () => [host, host2fa].map((h) => `https://${h}/login/oidc/callback`),
    });
    srv = await startTestServer({
      users: [{ address: ALICE, password: "alice password 1" }],
      config: {
        oauth: {
          issuer: idp.issuer,
          audience: idp.audience,
          clientId: TEST_CLIENT_ID,
          clientSecret: TEST_CLIENT_SECRET,
          providerName: "Test ID",
        },
      },
    });
    host = `mail.example.test:${srv.ports.https}`;
    // The same, where every account must have two-factor login (auth.require2fa = "all").
    srv2fa = await startTestServer({
      users: [{ address: ALICE, password: "alice password 1" }],
      config: {
        auth: { require2fa: "all" },
        oauth: {
          issuer: idp.issuer,
          audience: idp.audience,
          clientId: TEST_CLIENT_ID,
          clientSecret: TEST_CLIENT_SECRET,
        },
      },
    });
    host2fa = `mail.example.test:${srv2fa.ports.https}`;
  });
  after(async () => {
    await srv?.stop();
    await srv2fa?.stop();
    await idp?.close();
  });

  const get = (path: string, cookies: string[] = [], on = { srv, host }): Promise<TestResponse> =>
    send({
      port: on.srv.ports.https!,
      ca: on.srv.certPem,
      host: on.host,
      servername: "mail.example.test",
      path,
      headers: cookies.length ? { Cookie: cookies.join("; ") } : {},
    });
  const cookie = (r: TestResponse, name: string): string => {
    const c = r.setCookies.find((x) => x.startsWith(`${name}=`));
    assert.ok(c, `no ${name} cookie in ${JSON.stringify(r.setCookies)}`);
    return c.split(";")[0]!;
  };

  /** /login/oidc → the provider's login and consent → our callback URL (not yet requested). */
  async function toProvider(
    user: string,
    startPath = "/login/oidc?next=%2Fsettings",
    on = { srv, host },
  ): Promise<{ bind: string; callback: URL; authorize: URL }> {
    const start = await get(startPath, [], on);
    assert.equal(start.status, 303);
    const authorize = new URL(String(start.headers.location));
    const callback = await idp.authorize(authorize.href, user);
    return { bind: cookie(start, "__Host-yubin_oidc"), callback, authorize };
  }

  test("the login page offers the provider", async () => {
    const r = await get("/login");
    assert.match(
      r.body,
      /<a class="button" href="\/login\/oidc\?next=%2Fsettings">Sign in with Test ID<\/a>/,
    );
  });

  test("a provider login starts the web session of the mapped account", async () => {
    const { bind, callback, authorize } = await toProvider(ALICE);
    // The authorization request: code flow, PKCE S256, state, nonce, our callback.
    const q = authorize.searchParams;
    assert.equal(authorize.origin, idp.issuer);
    assert.equal(q.get("response_type"), "code");
    assert.equal(q.get("code_challenge_method"), "S256");
    assert.ok(q.get("state") && q.get("nonce") && q.get("code_challenge"));
    assert.equal(q.get("redirect_uri"), `https://${host}/login/oidc/callback`);
    assert.equal(callback.pathname, "/login/oidc/callback");

    const back = await get(`${callback.pathname}${callback.search}`, [bind]);
    assert.equal(back.status, 200, back.body);
    assert.match(back.body, /<meta http-equiv="refresh" content="0;url=\/settings">/);
    const session = cookie(back, "__Host-yubin_session");
    const settings = await get("/settings", [session]);
    assert.equal(settings.status, 200);
    assert.match(settings.body, /alice@example\.test/);

    // The same callback again: the state was used.
    const again = await get(`${callback.pathname}${callback.search}`, [bind]);
    assert.equal(again.status, 400);
  });

  test("the webmail offers the provider and its login ends with the webmail's cookie", async () => {
    const info = await get("/webmail/login/provider");
    assert.equal(info.status, 200);
    assert.deepEqual(JSON.parse(info.body), { name: "Test ID", url: "/login/oidc?to=webmail" });
    const { bind, callback } = await toProvider(ALICE, "/login/oidc?to=webmail");
    const back = await get(`${callback.pathname}${callback.search}`, [bind]);
    assert.equal(back.status, 200, back.body);
    assert.match(back.body, /<meta http-equiv="refresh" content="0;url=\/">/);
    const session = await get("/webmail/session", [cookie(back, "__Host-yubin_webmail")]);
    assert.equal(session.status, 200);
    assert.equal(JSON.parse(session.body).username, ALICE);
  });

  test("a callback without the browser's binding cookie logs nobody in", async () => {
    const { callback } = await toProvider(ALICE);
    const r = await get(`${callback.pathname}${callback.search}`);
    assert.equal(r.status, 400);
    assert.equal(r.setCookies.filter((c) => c.startsWith("__Host-yubin_session=")).length, 0);
  });

  test("a provider user with no mailbox here is refused", async () => {
    const { bind, callback } = await toProvider("nobody@example.test");
    const r = await get(`${callback.pathname}${callback.search}`, [bind]);
    assert.equal(r.status, 403);
    assert.match(r.body, /no mailbox here/);
  });

  test("two-factor login is not skipped: the pages get the second step, the webmail the password login", async () => {
    const on = { srv: srv2fa, host: host2fa };
    const pages = await toProvider(ALICE, "/login/oidc?next=%2Fsettings", on);
    const back = await get(`${pages.callback.pathname}${pages.callback.search}`, [pages.bind], on);
    assert.equal(back.status, 200, back.body);
    assert.match(back.body, /<meta http-equiv="refresh" content="0;url=\/login\/2fa">/);
    assert.ok(back.setCookies.some((c) => c.startsWith("__Host-yubin_2fa=")));
    assert.ok(!back.setCookies.some((c) => c.startsWith("__Host-yubin_session=")));

    const webmail = await toProvider(ALICE, "/login/oidc?to=webmail", on);
    const w = await get(`${webmail.callback.pathname}${webmail.callback.search}`, [webmail.bind], on);
    assert.equal(w.status, 403);
    assert.match(w.body, /two-factor login: sign in to the webmail with your password/);
    assert.ok(!w.setCookies.some((c) => c.startsWith("__Host-yubin_webmail=")));
  });
});
