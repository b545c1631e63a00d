// outbound.smarthost: all mail goes to one relay host (here a second Yubin's submission port)
// with AUTH, over STARTTLS (RFC 3207) or implicit TLS (RFC 8314), its certificate checked against
// the relay host's name; no MX lookup is made for the destination. A refused AUTH (535) is our
// configuration's fault, not the message's: it waits in the queue instead of bouncing.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { createTestCa, type TestCa } from "./test-certs.js";
import { inboxBodies, outboundConfig, submit, waitFor } from "./test-helpers.js";

const relayUser = "relay@relay.test";
const relayPassword = "relay host secret 42";

describe("outbound: smarthost", () => {
  let dns: DnsServer;
  let ca: TestCa;
  let relay: TestServer; // the smarthost, a Yubin whose own engine is off: what it takes, it queues
  const started: TestServer[] = [];
  const instanceA = async (smarthost: Record<string, unknown>) => {
    const a = await startTestServer({
      domains: ["a.test"],
      users: [{ address: "alice@a.test", password: testPassword }],
      config: outboundConfig(dns, 1, {
        smarthost: "relay.test",
        smarthostUser: relayUser,
        smarthostPassword: relayPassword,
        caFile: ca.caFile,
        ...smarthost,
      }),
    });
    started.push(a);
    return a;
  };

  before(async () => {
    ca = await createTestCa();
    dns = await startDnsServer([
      { name: "relay.test", type: "A", value: "127.0.0.1" },
      { name: "far.test", type: "MX", exchange: "mx.far.test", priority: 10 },
      { name: "mx.far.test", type: "A", value: "127.0.0.1" },
    ]);
    relay = await startTestServer({
      domains: ["relay.test"],
      users: [{ address: relayUser, password: relayPassword }],
      config: { server: { hostname: "relay.test" }, tls: await ca.issueFiles(["relay.test"]) },
    });
    // The relay account may send for a.test (as an ISP's relay lets its customer's domain).
    await relay.store.directory.grantSendAs(relay.users[0]!.id, "@a.test");
  });
  after(async () => {
    for (const s of started) await s.stop();
    await relay.stop();
    await dns.stop();
    await ca.remove();
  });

  for (const [mode, portName] of [
    ["starttls", "submission"],
    ["implicit", "submissions"],
  ] as const) {
    test(`${mode} to the relay's ${portName} port with AUTH: relayed, no MX lookup`, async () => {
      const before = dns.queries.length;
      const a = await instanceA({ smarthostTls: mode, smarthostPort: relay.ports[portName] });
      const subject = `via the relay (${mode})`;
      await submit(a, { from: "alice@a.test", to: ["x@far.test"], subject });
      const entry = await waitFor("queued at the relay", async () => {
        const all = await relay.store.queue.listQueue();
        return all.find((e) => e.mailFrom === "alice@a.test" && e.recipients[0]?.address === "x@far.test");
      });
      await waitFor("A's queue empty", async () => (await a.store.queue.listQueue()).length === 0);
      assert.deepEqual(
        entry.recipients.map((r) => r.address),
        ["x@far.test"],
      );
      const body = (await relay.store.mail.readBody(entry.blobId)).toString("utf8");
      // The relay's Received field on top: from A, over TLS, authenticated (RFC 3848 ESMTPSA);
      // below it A's own, from alice's submission.
      assert.match(
        body,
        /^Received: from mail\.example\.test \(\[127\.0\.0\.1\]\)\r\n\tby relay\.test \(Yubin\) with ESMTPSA id /,
      );
      assert.match(
        body,
        /\r\nReceived: from \[127\.0\.0\.1\] [\s\S]*?by mail\.example\.test \(Yubin\) with ESMTPSA id /,
      );
      assert.match(body, new RegExp(`\r\nSubject: via the relay \\(${mode}\\)\r\n`));
      const asked = dns.queries.slice(before);
      assert.deepEqual(
        asked.filter((q) => q.startsWith("far.test") || q.startsWith("mx.far.test")),
        [],
        "the destination's MX is not looked up",
      );
      assert.ok(asked.includes("relay.test A"), "the relay host's address is");
      await relay.store.queue.removeQueued(entry.id);
    });
  }

  test("wrong relay password: 535 kept in lastError, deferred and retried, never bounced", async () => {
    const a = await instanceA({
      smarthostTls: "starttls",
      smarthostPort: relay.ports.submission,
      smarthostPassword: "not the password",
    });
    await submit(a, { from: "alice@a.test", to: ["x@far.test"], subject: "bad credentials" });
    const e = await waitFor("two attempts", async () => {
      const [q] = await a.store.queue.listQueue();
      return q && q.attempts >= 2 && q;
    });
    assert.equal(e.lastError, "x@far.test: 535 5.7.8 Authentication credentials invalid");
    assert.deepEqual(
      e.recipients.map((r) => [r.address, r.state]),
      [["x@far.test", "pending"]],
    );
    assert.equal((await inboxBodies(a, "alice@a.test")).length, 0, "no bounce to the sender");
    assert.equal((await relay.store.queue.listQueue()).length, 0);
  });
});
