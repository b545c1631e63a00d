// ACME against Pebble by TLS-ALPN-01 alone: with no plain-HTTP listener, the HTTPS listener
// answers the acme-tls/1 challenge and the issued certificate is installed.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import { startTestServer, type TestServer } from "../testing/harness.js";
import { freePort } from "../testing/net.js";
import { httpsGet, startTestPebble, type TestPebble } from "./test-pebble.js";
import { HOST, imaps, listener, NAMES, settled, skip } from "./test-pebble-helpers.js";

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
