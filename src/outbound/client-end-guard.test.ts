// The check before the end of DATA (client.ts, `beforeEnd`): the body goes out as a stream whose
// end waits for the check. Yes: the transaction completes with the body intact (dot-stuffing
// included); no: the connection is dropped without the final ".", and the server records no
// transaction. Over a real socket to the test sink.
import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import { type Envelope, SmtpClient } from "./client.js";
import { LeaseLostError } from "./lease.js";
import { waitFor } from "./test-helpers.js";
import { startSink } from "./test-sink.js";

async function connect(t: TestContext) {
  const sink = await startSink();
  const client = await SmtpClient.open({
    address: "127.0.0.1",
    port: sink.port,
    hostname: "sink.test",
    heloName: "client.test",
    tls: "none",
    connectTimeoutMs: 10_000,
    greetingTimeoutMs: 10_000,
    socketTimeoutMs: 30_000,
  });
  t.after(async () => {
    client.close();
    await sink.stop();
  });
  return { sink, client };
}

// 1 MiB in lines, some starting with a dot: more than the streams' buffers, so the check comes
// only after several reads.
const lines = Array.from({ length: 16_384 }, (_, i) => `${i % 7 === 0 ? "." : ""}line ${i} `.padEnd(62, "x"));
const body = Buffer.from(`Subject: big\r\n\r\n${lines.join("\r\n")}\r\n`);
const env: Envelope = {
  from: "a@client.test",
  recipients: [{ address: "x@sink.test", notify: null, orcpt: null }],
  envId: null,
  ret: null,
  size: body.length,
  eightBit: false,
};

test("the check says yes: one transaction, the body as sent", async (t) => {
  const { sink, client } = await connect(t);
  let checks = 0;
  const res = await client.send(env, body, async () => {
    checks++;
    return true;
  });
  assert.equal(checks, 1);
  assert.deepEqual(
    res.accepted.map((r) => r.address),
    ["x@sink.test"],
  );
  assert.equal(sink.transactions.length, 1);
  // What the sink read is the dot-stuffed body (RFC 5321 4.5.2).
  const unstuffed = sink.transactions[0]!.data.toString("latin1").replace(/^\.\./gm, ".");
  assert.equal(unstuffed, body.toString("latin1"));
  assert.ok(client.usable, "the connection can take the next transaction");
});

test("the check says no: LeaseLostError, no end of DATA, no transaction at the server", async (t) => {
  const { sink, client } = await connect(t);
  await assert.rejects(
    client.send(env, body, async () => false),
    (e: unknown) => e instanceof LeaseLostError,
  );
  assert.equal(client.usable, false);
  // Once the server saw the connection end it has read every byte sent: the body, no ".".
  await waitFor("the connection closed", () => sink.closed === 1);
  assert.equal(sink.transactions.length, 0);
});
