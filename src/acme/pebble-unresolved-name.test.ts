// ACME against Pebble for a name the DNS does not have: the order fails with advice naming the
// name, the server backs off for [acme] retryMinSec and keeps its self-signed certificate.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import { startTestServer, type TestServer } from "../testing/harness.js";
import { freePort } from "../testing/net.js";
import { startTestPebble, type TestPebble } from "./test-pebble.js";
import { HOST, listener, skip } from "./test-pebble-helpers.js";

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
