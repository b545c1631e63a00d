// ACME end to end against Pebble (Let's Encrypt's test CA): from an empty data directory to a
// certificate that clients verifying against Pebble's root accept on IMAPS, SMTP STARTTLS and
// HTTPS; a renewal that adds the names of a new domain; a forced renewal that new connections
// see while a connection opened before it keeps working. The TLS-ALPN-01 path and a name that
// does not resolve are in pebble-tls-alpn.test.ts and pebble-unresolved-name.test.ts.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { stat } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import nodemailer from "nodemailer";
import { startApp } from "../app/start.js";
import { WebClient } from "../http/test-client.js";
import { silentLogger } from "../log/logger.js";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { freePort } from "../testing/net.js";
import { httpsGet, startTestPebble, type TestPebble } from "./test-pebble.js";
import { HOST, imaps, listener, NAMES, settled, skip, until } from "./test-pebble-helpers.js";

describe("ACME with Pebble, HTTP-01", { skip }, () => {
  let dns: DnsServer;
  let pebble: TestPebble;
  let srv: TestServer;
  let root: string;
  let httpPort: number;
  let httpsPort: number;

  before(async () => {
    dns = await startDnsServer(NAMES.map((name) => ({ name, type: "A" as const, value: "127.0.0.1" })));
    httpPort = await freePort();
    httpsPort = await freePort();
    pebble = await startTestPebble({ httpPort, tlsPort: httpsPort, dnsServer: `127.0.0.1:${dns.port}` });
    srv = await startTestServer({
      domains: ["example.test"],
      users: [{ address: "admin@example.test", password: testPassword, isAdmin: true }],
      config: {
        acme: {
          enabled: "on",
          directoryUrl: pebble.directoryUrl,
          caFile: pebble.apiCaFile,
          challenges: ["http-01"],
        },
        listeners: [
          listener("smtp", "none"),
          listener("imap", "implicit"),
          listener("http", "none", httpPort),
          listener("http", "implicit", httpsPort),
        ] as unknown as Record<string, unknown>,
      },
    });
    root = await pebble.root();
  });
  after(async () => {
    await srv?.stop();
    await pebble?.stop();
    await dns?.stop();
  });

  test("from an empty data directory to a certificate clients verify on IMAPS, SMTP STARTTLS and HTTPS", async () => {
    await settled(srv, pebble);
    // The domain may have been added after the first check began: this check orders again if so.
    const s = await srv.ctx.acme!.renew();
    assert.equal(s.state, "valid", s.lastError?.message);
    assert.deepEqual([...(s.certificate?.names ?? [])].sort(), NAMES.slice(0, 3).sort());
    assert.equal(srv.ctx.acme!.status().certificate?.issuer.includes("Pebble"), true);

    const { sock, lines } = await imaps(srv.ports.imaps!, root);
    assert.equal(sock.authorized, true);
    assert.match(lines[0] ?? "", /^\* OK/);
    sock.destroy();

    const smtp = nodemailer.createTransport({
      host: "127.0.0.1",
      port: srv.ports.smtp,
      secure: false,
      requireTLS: true,
      tls: { ca: root, servername: HOST },
    });
    assert.equal(await smtp.verify(), true);
    smtp.close();

    for (const name of NAMES.slice(0, 3)) {
      const body = await httpsGet(`https://127.0.0.1:${httpsPort}/login`, root, name);
      assert.match(body, /<form/);
    }
    // Plain HTTP still redirects pages to HTTPS; only the challenge path is answered there.
    const res = await fetch(`http://127.0.0.1:${httpPort}/login`, { redirect: "manual" });
    assert.equal(res.status, 301);
    const unknown = await fetch(`http://127.0.0.1:${httpPort}/.well-known/acme-challenge/nosuchtoken`);
    assert.equal(unknown.status, 404);
  });

  test("account, key and certificate are kept 0600 in a 0700 directory", async () => {
    const dir = `${srv.dataDir}/acme`;
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    for (const f of ["account.key", "cert.key", "cert.pem", "state.json"])
      assert.equal((await stat(`${dir}/${f}`)).mode & 0o777, 0o600, f);
  });

  test("a new domain's names come with the next check", async () => {
    await srv.store.directory.addDomain("other.test");
    const s = await srv.ctx.acme!.renew();
    assert.deepEqual([...(s.certificate?.names ?? [])].sort(), [...NAMES].sort());
    await httpsGet(`https://127.0.0.1:${httpsPort}/login`, root, "mta-sts.other.test");
  });

  test("a forced renewal: new connections get the new certificate, open ones keep going, same key", async () => {
    const before = srv.ctx.acme!.status().certificate!;
    const open = await imaps(srv.ports.imaps!, root);
    const oldSerial = open.sock.getPeerX509Certificate()?.serialNumber;
    assert.equal(oldSerial, before.serial);

    const s = await srv.ctx.acme!.renew({ force: true });
    assert.equal(s.state, "valid", s.lastError?.message);
    assert.notEqual(s.certificate?.serial, before.serial);

    const fresh = await imaps(srv.ports.imaps!, root);
    const cert = fresh.sock.getPeerX509Certificate()!;
    assert.equal(cert.serialNumber, s.certificate?.serial);
    fresh.sock.destroy();

    // The connection opened before the renewal still works.
    open.sock.write("a1 NOOP\r\n");
    await until(() => open.lines.some((l) => l.startsWith("a1 ")));
    assert.match(open.lines.find((l) => l.startsWith("a1 ")) ?? "", /^a1 OK/);
    open.sock.destroy();

    // reuseKey (the default): the key, hence a DANE TLSA 3 1 1 record, did not change.
    const oldKey = new X509Certificate(srv.ctx.tls.pem().cert).publicKey.export({
      type: "spki",
      format: "der",
    });
    assert.deepEqual(cert.publicKey.export({ type: "spki", format: "der" }), oldKey);
    assert.equal(srv.ctx.acme!.status().lastError, null);
  });

  test("another process on the data directory, without ACME (IMAPS only), serves the issued certificate", async () => {
    const config = structuredClone(srv.config);
    config.listeners = [{ protocol: "imap", address: "127.0.0.1", port: 0, tls: "implicit" }];
    config.acme.enabled = "auto";
    const other = await startApp(config, { log: silentLogger });
    try {
      assert.equal(other.ctx.acme, undefined);
      assert.equal(other.tls.source(), "acme");
      const { sock } = await imaps(other.listeners[0]!.port, root);
      assert.equal(sock.authorized, true);
      assert.equal(sock.getPeerX509Certificate()?.serialNumber, srv.ctx.acme!.status().certificate?.serial);
      sock.destroy();
    } finally {
      await other.stop();
    }
  });

  test("the admin TLS page shows the issued certificate and its renewal; Renew now renews", async () => {
    const web = new WebClient(httpsPort, root, HOST);
    assert.equal((await web.login("admin@example.test", testPassword)).status, 303);
    const page = await web.get("/admin/tls");
    assert.equal(page.status, 200);
    // A CA's certificate (not the self-signed one of the first start): HSTS is sent.
    assert.match(String(page.headers["strict-transport-security"]), /^max-age=\d+/);
    assert.match(page.body, /certificate obtained/);
    assert.match(page.body, /Pebble/);
    assert.match(page.body, /Last error<\/th><td>none/);
    assert.doesNotMatch(page.body, /self-signed/);
    const serial = srv.ctx.acme!.status().certificate?.serial;
    const r = await web.submit("/admin/tls", "/admin/tls/renew", {});
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, "/admin/tls?renewing=1");
    await until(() => srv.ctx.acme!.status().certificate?.serial !== serial, 60_000);
    assert.match((await web.get("/admin/tls")).body, /certificate obtained/);
  });
});
