// ACME end to end against Pebble (Let's Encrypt's test CA): from an empty data directory to a
// certificate that clients verifying against Pebble's root accept on IMAPS, SMTP STARTTLS and
// HTTPS; a renewal that adds the names of a new domain; a forced renewal that new connections
// see while a connection opened before it keeps working; and the TLS-ALPN-01 path.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { stat } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { connect, type TLSSocket } from "node:tls";
import nodemailer from "nodemailer";
import { startApp } from "../app/start.js";
import { WebClient } from "../http/test-client.js";
import { silentLogger } from "../log/logger.js";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { freePort } from "../testing/net.js";
import { commandSkip } from "../testing/requires.js";
import { httpsGet, startTestPebble, type TestPebble } from "./test-pebble.js";
import type { AcmeStatus } from "./types.js";

const skip = commandSkip("pebble");
const HOST = "mail.example.test";
const NAMES = [
  HOST,
  "autoconfig.example.test",
  "mta-sts.example.test",
  "autoconfig.other.test",
  "mta-sts.other.test",
];

/** Until the first order ended (valid or failing), bounded. */
async function settled(srv: TestServer, pebble: TestPebble): Promise<AcmeStatus> {
  const acme = srv.ctx.acme;
  assert.ok(acme, "ACME is on");
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const s = acme.status();
    if (s.state === "failing") assert.fail(`order failed: ${s.lastError?.message}\n${pebble.output()}`);
    if (s.state === "valid") return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`no certificate within 90 s\n${pebble.output()}`);
}

/** An IMAPS connection verified against `ca`, after its greeting. */
async function imaps(port: number, ca: string): Promise<{ sock: TLSSocket; lines: string[] }> {
  const lines: string[] = [];
  const sock = connect({ host: "127.0.0.1", port, servername: HOST, ca });
  sock.setEncoding("utf8");
  let buf = "";
  sock.on("data", (d: string) => {
    buf += d;
    for (let nl = buf.indexOf("\r\n"); nl >= 0; nl = buf.indexOf("\r\n")) {
      lines.push(buf.slice(0, nl));
      buf = buf.slice(nl + 2);
    }
  });
  await new Promise<void>((resolve, reject) => {
    sock.once("secureConnect", resolve);
    sock.once("error", reject);
  });
  await until(() => lines.some((l) => l.startsWith("* OK")));
  return { sock, lines };
}

async function until(ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

const listener = (protocol: string, tls: string, port = 0) => ({ protocol, address: "127.0.0.1", port, tls });

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

describe("ACME with Pebble, TLS-ALPN-01 (no plain-HTTP listener)", { skip }, () => {
  let dns: DnsServer;
  let pebble: TestPebble;
  let srv: TestServer;

  before(async () => {
    dns = await startDnsServer(NAMES.map((name) => ({ name, type: "A" as const, value: "127.0.0.1" })));
    const httpsPort = await freePort();
    // Pebble's HTTP-01 port has no listener: only TLS-ALPN-01 can succeed.
    pebble = await startTestPebble({
      httpPort: await freePort(),
      tlsPort: httpsPort,
      dnsServer: `127.0.0.1:${dns.port}`,
    });
    srv = await startTestServer({
      domains: ["example.test"],
      config: {
        acme: { enabled: "on", directoryUrl: pebble.directoryUrl, caFile: pebble.apiCaFile },
        listeners: [
          listener("imap", "implicit"),
          listener("http", "implicit", httpsPort),
        ] as unknown as Record<string, unknown>,
      },
    });
  });
  after(async () => {
    await srv?.stop();
    await pebble?.stop();
    await dns?.stop();
  });

  test("the HTTPS listener answers acme-tls/1 and the certificate is installed", async () => {
    await settled(srv, pebble);
    const s = await srv.ctx.acme!.renew();
    assert.equal(s.state, "valid", s.lastError?.message);
    assert.deepEqual(s.challenges, ["tls-alpn-01"]);
    const root = await pebble.root();
    const body = await httpsGet(`https://127.0.0.1:${srv.ports.https}/login`, root, HOST);
    assert.match(body, /<form/);
    const { sock } = await imaps(srv.ports.imaps!, root);
    assert.equal(sock.authorized, true);
    sock.destroy();
  });
});

describe("ACME with Pebble, a name that does not point at us", { skip }, () => {
  let dns: DnsServer;
  let pebble: TestPebble;
  let srv: TestServer;

  before(async () => {
    // Only the host name is in the DNS: autoconfig.example.test and mta-sts.example.test are not.
    dns = await startDnsServer([{ name: HOST, type: "A", value: "127.0.0.1" }]);
    const httpPort = await freePort();
    pebble = await startTestPebble({
      httpPort,
      tlsPort: await freePort(),
      dnsServer: `127.0.0.1:${dns.port}`,
    });
    srv = await startTestServer({
      domains: ["example.test"],
      config: {
        acme: {
          enabled: "on",
          directoryUrl: pebble.directoryUrl,
          caFile: pebble.apiCaFile,
          retryMinSec: 3600,
        },
        listeners: [listener("imap", "implicit"), listener("http", "none", httpPort)] as unknown as Record<
          string,
          unknown
        >,
      },
    });
  });
  after(async () => {
    await srv?.stop();
    await pebble?.stop();
    await dns?.stop();
  });

  test("the order fails with advice naming the name and the DNS, and backs off", async () => {
    const s = await srv.ctx.acme!.renew({ force: true });
    assert.equal(s.state, "failing", pebble.output());
    assert.equal(s.lastError?.kind, "dns", s.lastError?.message);
    assert.match(
      s.lastError?.message ?? "",
      /could not resolve (autoconfig|mta-sts)\.example\.test — does .* have an A or AAAA record/,
    );
    assert.ok(
      s.nextCheck && s.nextCheck.getTime() - Date.now() > 3_000_000,
      "retried after [acme] retryMinSec",
    );
    // Still the self-signed certificate, served as before.
    assert.equal(s.certificate, null);
  });
});
