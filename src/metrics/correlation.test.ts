// One correlation id from SMTP acceptance through the queue to the remote server's 250 (issue
// 21): the post office's id (the "queued as" of the 250 reply) is in the acceptance line, the
// queueing line and every delivery attempt's line, read from the server's own JSON log.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import nodemailer from "nodemailer";
import { createLogger } from "../log/logger.js";
import { outboundConfig, waitFor } from "../outbound/test-helpers.js";
import { type Sink, startSink } from "../outbound/test-sink.js";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import { startTestServer, type TestServer } from "../testing/harness.js";

type Line = Record<string, unknown> & { msg: string };

describe("correlation id", () => {
  let dns: DnsServer;
  let sink: Sink;
  let ts: TestServer;
  const lines: Line[] = [];

  before(async () => {
    dns = await startDnsServer([
      { name: "sink.test", type: "MX", exchange: "mx.sink.test", priority: 10 },
      { name: "mx.sink.test", type: "A", value: "127.0.0.1" },
    ]);
    sink = await startSink();
    ts = await startTestServer({
      config: outboundConfig(dns, sink.port),
      log: createLogger({ format: "json", level: "info", write: (l) => lines.push(JSON.parse(l) as Line) }),
    });
    await ts.store.directory.addAlias("away@example.test", ["far@sink.test"]);
  });
  after(async () => {
    await ts?.stop();
    await sink?.stop();
    await dns?.stop();
  });

  test("the id of the 250 reply is in the acceptance, queueing and delivery lines", async () => {
    const t = nodemailer.createTransport({
      host: "127.0.0.1",
      port: ts.ports.smtp,
      secure: false,
      ignoreTLS: true,
    });
    let response: string;
    try {
      ({ response } = await t.sendMail({ from: "dave@remote.test", to: "away@example.test", text: "hi" }));
    } finally {
      t.close();
    }
    const id = /queued as (\S+)/.exec(response)?.[1];
    assert.ok(id, response);
    const delivered = await waitFor("the remote 250 in the log", () =>
      lines.find((l) => l.msg === "delivery attempt" && String(l.reply).startsWith("250")),
    );
    assert.equal(delivered.cid, id, JSON.stringify(delivered));
    const accepted = lines.find((l) => l.msg === "message accepted");
    assert.equal(accepted?.id, id);
    const queued = lines.find((l) => l.msg === "queued");
    assert.equal(queued?.cid, id, JSON.stringify(queued));
    assert.equal(sink.transactions.length, 1);
    // Every line naming the queue entry carries the same id.
    const about = lines.filter((l) => l.queueId === queued?.queueId);
    assert.ok(about.length >= 2);
    for (const l of about) assert.equal(l.cid, id, JSON.stringify(l));
  });
});
