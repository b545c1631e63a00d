// The delivery engine in a database outage (issue 17): a queue claim or a body read that fails
// with StoreError "unavailable" defers the message (its lease runs out and it is tried again),
// never bounces it; once the store answers it is delivered, once.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import { failingStore } from "../testing/failing-store.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { inbox } from "../testing/mailbox.js";
import { outboundConfig, submit, waitFor } from "./test-helpers.js";
import { type Sink, startSink } from "./test-sink.js";

describe("outbound: store unavailable", () => {
  let dns: DnsServer;
  let sink: Sink;
  let s: TestServer;

  before(async () => {
    dns = await startDnsServer([
      { name: "sink.test", type: "MX", exchange: "mx.sink.test", priority: 10 },
      { name: "mx.sink.test", type: "A", value: "127.0.0.1" },
    ]);
    sink = await startSink({ rcpt: () => "250 2.1.5 ok" });
    s = await startTestServer({
      domains: ["a.test"],
      users: [{ address: "alice@a.test", password: testPassword }],
      // A failed attempt's lease ends after 5 s. Not half a second (the least leaseMs allows):
      // on a loaded machine (load 40) the lease of the attempt that succeeded lapsed before its
      // renewal was written, the entry was claimed again and the sink got the message twice.
      config: outboundConfig(dns, sink.port, { leaseMs: 5000 }),
    });
  });
  after(async () => {
    await s?.stop();
    await sink?.stop();
    await dns?.stop();
  });

  test("claims and body reads that fail defer the message; it is delivered once, no bounce", async () => {
    const claim = failingStore(s.store, "queue", "claimQueued", { times: 2 });
    const body = failingStore(s.store, "mail", "readBody", { times: 2 });
    await submit(s, { from: "alice@a.test", to: ["x@sink.test"], subject: "through an outage" });
    await waitFor("delivery after the outage", () => sink.transactions.length > 0, 90_000);
    assert.deepEqual([claim.refused, body.refused], [2, 2]);
    // Nothing more arrives: exactly one delivery, and the queue is empty.
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(sink.transactions.length, 1);
    assert.match(sink.transactions[0]!.data.toString(), /\r\nSubject: through an outage\r\n/);
    // Removed after the sink's 250 is read: a write of its own, which a loaded machine's fsync
    // can hold past the pause above.
    await waitFor("the queue empty", async () => (await s.store.queue.listQueue()).length === 0);
    // No delivery status notification came back to the sender.
    const alice = s.users[0]!;
    assert.equal((await inbox(s.store, alice.id)).length, 0);
  });
});
