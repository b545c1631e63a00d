// The webmail's server side over real HTTPS on 127.0.0.1 (ephemeral port) in front of a real
// Yubin and JMAP handler: the built page with its CSP, login (and its throttle, shared with the
// mail protocols), the cookie, the session, CSRF on everything that changes state, and the
// cookie → JMAP bridge.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, request as httpsRequest, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createJmapHttpHandler } from "../jmap/http/handler.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { createWebmailHandler } from "./handler.js";
import { DOWNLOAD_CSP, WEBMAIL_CSP } from "./headers.js";

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

interface Site {
  ts: TestServer;
  port: number;
  stop(): Promise<void>;
}

async function startSite(opts: {
  distDir: string;
  config?: Record<string, Record<string, unknown>>;
}): Promise<Site> {
  const ts = await startTestServer(opts.config ? { config: opts.config } : {});
  const jmap = createJmapHttpHandler(ts.ctx);
  const webmail = createWebmailHandler(ts.ctx, { jmap, distDir: opts.distDir });
  const { cert, key } = ts.ctx.tls.pem();
  const server: Server = createServer({ cert, key }, (req, res) => {
    void (async () => {
      if (await webmail(req, res)) return;
      if (await jmap(req, res)) return;
      res.writeHead(404, { "Content-Length": 0 });
      res.end();
    })();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    ts,
    port: (server.address() as AddressInfo).port,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await ts.stop();
    },
  };
}

function call(
  port: number,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: "127.0.0.1",
        port,
        method,
        path,
        rejectUnauthorized: false, // the test server's self-signed certificate
        headers: { Host: `127.0.0.1:${port}`, ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

const setCookieOf = (r: Reply) => {
  const h = r.headers["set-cookie"];
  return Array.isArray(h) ? h.join("\n") : (h ?? "");
};

let dist: string;
before(async () => {
  dist = await mkdtemp(join(tmpdir(), "yubin-webmail-dist-"));
  await mkdir(join(dist, "assets"));
  await writeFile(
    join(dist, "index.html"),
    '<!doctype html><script type="module" src="/assets/app-1.js"></script>',
  );
  await writeFile(join(dist, "assets", "app-1.js"), "console.log(1)");
  await writeFile(join(dist, "favicon.svg"), "<svg/>");
});
after(async () => {
  await rm(dist, { recursive: true, force: true });
});

describe("webmail handler", () => {
  let site: Site;
  let alice: string;
  const origin = () => `https://127.0.0.1:${site.port}`;

  before(async () => {
    site = await startSite({ distDir: dist });
    alice = site.ts.users[0]!.address;
  });
  after(() => site.stop());

  const loginAs = async (username: string, password: string, headers: Record<string, string> = {}) =>
    call(site.port, "POST", "/webmail/login", {
      headers: { "Content-Type": "application/json", Origin: origin(), ...headers },
      body: JSON.stringify({ username, password }),
    });

  const session = async () => {
    const r = await loginAs(alice, testPassword);
    assert.equal(r.status, 200);
    const m = /__Host-yubin_webmail=([^;]+)/.exec(setCookieOf(r));
    assert.ok(m);
    return { cookie: `__Host-yubin_webmail=${m[1]}`, csrf: (JSON.parse(r.body) as { csrf: string }).csrf };
  };

  test("the page and its assets carry the CSP; unknown paths are not ours", async () => {
    const page = await call(site.port, "GET", "/");
    assert.equal(page.status, 200);
    assert.equal(page.headers["content-security-policy"], WEBMAIL_CSP);
    assert.match(WEBMAIL_CSP, /(^|; )script-src 'self'(;|$)/);
    assert.match(WEBMAIL_CSP, /frame-ancestors 'none'/);
    assert.equal(page.headers["x-frame-options"], "DENY");
    assert.equal(page.headers["x-content-type-options"], "nosniff");
    assert.equal(page.headers["cache-control"], "no-store");
    assert.equal(page.headers["content-type"], "text/html; charset=utf-8");
    assert.equal(page.body, '<!doctype html><script type="module" src="/assets/app-1.js"></script>');

    const js = await call(site.port, "GET", "/assets/app-1.js");
    assert.equal(js.status, 200);
    assert.equal(js.headers["content-type"], "text/javascript; charset=utf-8");
    assert.equal(js.headers["cache-control"], "public, max-age=31536000, immutable");
    assert.equal(js.body, "console.log(1)");
    assert.equal((await call(site.port, "HEAD", "/favicon.svg")).headers["content-type"], "image/svg+xml");

    for (const p of [
      "/assets/missing.js",
      "/assets/..%2findex.html",
      "/assets/../index.html.x",
      "/admin",
      "/x/y.js",
    ])
      assert.equal((await call(site.port, "GET", p)).status, 404, p);
  });

  test("no OpenID Connect provider configured: the login screen's question gets 200 null, not an error", async () => {
    const r = await call(site.port, "GET", "/webmail/login/provider");
    assert.equal(r.status, 200);
    assert.equal(r.body, "null");
  });

  test("login: bad credentials 401, wrong content type 415, foreign Origin 403, plain HTTP refused", async () => {
    const bad = await loginAs(alice, "wrong");
    assert.equal(bad.status, 401);
    assert.deepEqual(JSON.parse(bad.body), { error: "invalid" });
    assert.equal(setCookieOf(bad), "");

    const form = await call(site.port, "POST", "/webmail/login", {
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: origin() },
      body: `username=${alice}&password=x`,
    });
    assert.equal(form.status, 415);
    const foreign = await loginAs(alice, testPassword, { Origin: "https://evil.example" });
    assert.equal(foreign.status, 403);
    assert.equal(setCookieOf(foreign), "");
    assert.equal((await call(site.port, "GET", "/webmail/login")).status, 405);
    const big = await call(site.port, "POST", "/webmail/login", {
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: alice, password: "x".repeat(10_000) }),
    });
    assert.equal(big.status, 413);
  });

  test("login sets an HttpOnly Secure SameSite=Strict __Host- cookie; the session gives the CSRF token", async () => {
    const r = await loginAs(alice, testPassword);
    assert.equal(r.status, 200);
    const body = JSON.parse(r.body) as { username: string; csrf: string };
    assert.equal(body.username, alice);
    assert.match(body.csrf, /^[A-Za-z0-9_-]{43}$/);
    const [cookie = "", device = ""] = setCookieOf(r).split("\n");
    assert.match(
      cookie,
      /^__Host-yubin_webmail=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=86400; HttpOnly; Secure; SameSite=Strict$/,
    );
    // The throttle's device cookie (src/auth/device.ts), kept for throttleKnownClientDays.
    assert.match(
      device,
      /^__Host-yubin_device=[A-Za-z0-9_-]{32}; Path=\/; Max-Age=2592000; HttpOnly; Secure; SameSite=Strict$/,
    );
    assert.doesNotMatch(r.body, /yubin_webmail|Bearer/);

    const value = cookie.split(";")[0]!;
    const s = await call(site.port, "GET", "/webmail/session", { headers: { Cookie: value } });
    assert.equal(s.status, 200);
    assert.deepEqual(JSON.parse(s.body), body);
    const none = await call(site.port, "GET", "/webmail/session");
    assert.equal(none.status, 401);
    const junk = await call(site.port, "GET", "/webmail/session", {
      headers: { Cookie: "__Host-yubin_webmail=junk" },
    });
    assert.equal(junk.status, 401);
    assert.match(setCookieOf(junk), /^__Host-yubin_webmail=; Path=\/; Max-Age=0;/);
  });

  test("JMAP through the cookie: GET needs no token, POST needs the CSRF header and our Origin", async () => {
    const { cookie, csrf } = await session();
    const sess = await call(site.port, "GET", "/.well-known/jmap", { headers: { Cookie: cookie } });
    assert.equal(sess.status, 200);
    assert.equal(sess.headers["content-security-policy"], DOWNLOAD_CSP);
    assert.equal(JSON.parse(sess.body).username, alice);

    const body = JSON.stringify({
      using: ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"],
      methodCalls: [["Mailbox/get", { accountId: `A${site.ts.users[0]!.id}`, properties: ["role"] }, "0"]],
    });
    const post = (headers: Record<string, string>) =>
      call(site.port, "POST", "/jmap/api", {
        headers: { Cookie: cookie, "Content-Type": "application/json", ...headers },
        body,
      });
    assert.equal((await post({})).status, 403);
    assert.equal((await post({ "X-Yubin-CSRF": "x".repeat(43) })).status, 403);
    assert.equal((await post({ "X-Yubin-CSRF": csrf, Origin: "https://evil.example" })).status, 403);
    const ok = await post({ "X-Yubin-CSRF": csrf, Origin: origin() });
    assert.equal(ok.status, 200);
    const roles = JSON.parse(ok.body).methodResponses[0][1].list.map((b: { role: string }) => b.role);
    assert.deepEqual(roles.sort(), ["archive", "drafts", "inbox", "junk", "sent", "trash"]);

    const upload = await call(site.port, "POST", `/jmap/upload/A${site.ts.users[0]!.id}/`, {
      headers: { Cookie: cookie, "Content-Type": "text/plain" },
      body: "hello",
    });
    assert.equal(upload.status, 403);

    // A client with its own Authorization header is the JMAP handler's, cookie or not.
    const basic = `Basic ${Buffer.from(`${alice}:${testPassword}`).toString("base64")}`;
    const direct = await call(site.port, "POST", "/jmap/api", {
      headers: { Cookie: cookie, Authorization: basic, "Content-Type": "application/json" },
      body,
    });
    assert.equal(direct.status, 200);
    assert.equal(direct.headers["content-security-policy"], undefined);
  });

  test("logout needs the CSRF header, revokes the token, and JMAP then answers 401 without a Basic challenge", async () => {
    const { cookie, csrf } = await session();
    assert.equal(
      (await call(site.port, "POST", "/webmail/logout", { headers: { Cookie: cookie } })).status,
      403,
    );
    const out = await call(site.port, "POST", "/webmail/logout", {
      headers: { Cookie: cookie, "X-Yubin-CSRF": csrf, Origin: origin() },
    });
    assert.equal(out.status, 204);
    assert.match(
      setCookieOf(out),
      /^__Host-yubin_webmail=; Path=\/; Max-Age=0; HttpOnly; Secure; SameSite=Strict$/,
    );
    const after = await call(site.port, "GET", "/.well-known/jmap", { headers: { Cookie: cookie } });
    assert.equal(after.status, 401);
    assert.equal(after.headers["www-authenticate"], undefined);
    assert.deepEqual(JSON.parse(after.body), { error: "session-expired" });
    assert.equal(
      (await call(site.port, "GET", "/webmail/session", { headers: { Cookie: cookie } })).status,
      401,
    );
  });

  test("a missing build answers 503 with how to build it", async () => {
    const handler = createWebmailHandler(site.ts.ctx, {
      jmap: createJmapHttpHandler(site.ts.ctx),
      distDir: join(dist, "does-not-exist"),
    });
    let status = 0;
    let text = "";
    const res = {
      writeHead(s: number) {
        status = s;
        return res;
      },
      end(b?: string) {
        text = b ?? "";
      },
    };
    // biome-ignore lint/suspicious/noExplicitAny: a minimal stand-in for IncomingMessage/ServerResponse
    const handled = await handler({ url: "/", method: "GET", headers: {} } as any, res as any);
    assert.equal(handled, true);
    assert.equal(status, 503);
    assert.equal(text, "The webmail is not built. Run: npm run build:web\n");
  });
});

describe("webmail login throttling", () => {
  let site: Site;
  before(async () => {
    site = await startSite({
      distDir: dist,
      config: { auth: { throttleFreeFailures: 0, throttleMaxFailures: 2, throttleBaseDelayMs: 0 } },
    });
  });
  after(() => site.stop());

  test("failures over IMAP count against a webmail login (one throttle for every protocol)", async () => {
    const bob = site.ts.users[1]!.address;
    for (let i = 0; i < 2; i++) {
      const r = await site.ts.ctx.auth.authenticate({
        username: bob,
        password: "guess",
        ip: "127.0.0.1",
        protocol: "imap",
      });
      assert.equal(r.ok, false);
    }
    const r = await call(site.port, "POST", "/webmail/login", {
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: bob, password: testPassword }),
    });
    assert.equal(r.status, 429);
    const body = JSON.parse(r.body) as { error: string; retryAfterSec: number };
    assert.equal(body.error, "throttled");
    assert.ok(body.retryAfterSec >= 1);
    assert.equal(r.headers["retry-after"], String(body.retryAfterSec));
    assert.equal(setCookieOf(r), "");
  });
});
