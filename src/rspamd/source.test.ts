// The rspamd signal source against a real rspamd (Debian package) started by the test with its
// own rules (test-rspamd.ts), and against sockets that fail in each way rspamd can.
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { after, before, describe, test } from "node:test";
import { defaultsOf } from "../config/dsl.js";
import { ConfigError } from "../config/load.js";
import { createLogger } from "../log/logger.js";
import type { FilterInput } from "../postoffice/types.js";
import { buildMessageView } from "../spam/message-view.js";
import { commandSkip } from "../testing/requires.js";
import { parseAnswer } from "./client.js";
import { rspamdSection } from "./config.js";
import { type RspamdConfig, rspamdSource, rspamdSources } from "./source.js";
import { marker, markerScore, markerSymbol, startTestRspamd, type TestRspamd } from "./test-rspamd.js";

const logLines: string[] = [];
const log = createLogger({ format: "json", level: "debug", write: (l) => logLines.push(l) });

function cfg(over: Partial<RspamdConfig>): RspamdConfig {
  return { ...defaultsOf(rspamdSection), ...over };
}

function input(body: string, over: Partial<FilterInput> = {}): FilterInput {
  return {
    door: "inbound",
    id: "Q123",
    mailFrom: "sender@example.org",
    recipients: [
      { address: "alice@example.test", accountIds: [1], remote: [] },
      { address: "bob@example.test", accountIds: [2], remote: [] },
    ],
    body: Buffer.from(body.replaceAll("\n", "\r\n")),
    accountIds: [1, 2],
    accountId: null,
    origin: {
      kind: "smtp",
      helo: "client.example.org",
      ip: "192.0.2.7",
      esmtp: true,
      utf8: false,
      authenticated: false,
      tls: null,
    },
    screen: null,
    auth: null,
    ...over,
  };
}

async function ask(source: ReturnType<typeof rspamdSource>, i: FilterInput) {
  return source.signals(i, buildMessageView(i.body));
}

const skip = commandSkip("rspamd");

describe("rspamd source, against a real rspamd", { skip }, () => {
  let rspamd: TestRspamd;
  before(async () => {
    rspamd = await startTestRspamd();
  });
  after(async () => {
    await rspamd?.stop();
  });

  test("a marked message gets rspamd's symbol and score in one RSPAMD signal", async () => {
    const s = rspamdSource(cfg({ url: rspamd.url }), log);
    const got = await ask(s, input(`From: a@example.org\nSubject: hello ${marker}\n\nbody\n`));
    assert.deepEqual(got, [
      { name: "RSPAMD", score: markerScore, detail: `rspamd 7.5/15 add header: ${markerSymbol} 7.5` },
    ]);
  });

  test("rspamd reads the envelope from our request headers (IP, HELO, From, each Rcpt, Queue-Id)", async () => {
    const s = rspamdSource(cfg({ url: `${rspamd.url}/` }), log); // a trailing slash is fine too
    const envelope =
      "192.0.2.7 client.example.org sender@example.org alice@example.test,bob@example.test Q123";
    const got = await ask(
      s,
      input(`From: a@example.org\nX-Test-Envelope: ${envelope}\nSubject: hi\n\nbody\n`),
    );
    assert.deepEqual(got, [
      { name: "RSPAMD", score: 0.5, detail: "rspamd 0.5/15 no action: YUBIN_TEST_ENVELOPE 0.5" },
    ]);
  });

  test("weightPercent scales rspamd's score; an authenticated sender is sent as User", async () => {
    const s = rspamdSource(cfg({ url: rspamd.url, weightPercent: 50 }), log);
    const got = await ask(
      s,
      input(`From: a@example.org\nSubject: ${marker}\n\nbody\n`, { door: "submission", accountId: 3 }),
    );
    assert.deepEqual(got, [
      {
        name: "RSPAMD",
        score: 3.63, // (7.5 - 0.25) × 50 %, rounded to 0.01
        detail: `rspamd 7.25/15 add header: ${markerSymbol} 7.5, YUBIN_TEST_USER -0.25`,
      },
    ]);
  });

  test("a message above maxBytes is not sent: RSPAMD_SKIPPED, score 0", async () => {
    const s = rspamdSource(cfg({ url: rspamd.url, maxBytes: 1024 }), log);
    const got = await ask(s, input(`Subject: ${marker}\n\n${"x".repeat(2000)}\n`));
    assert.equal(got.length, 1);
    assert.equal(got[0]?.name, "RSPAMD_SKIPPED");
    assert.equal(got[0]?.score, 0);
    assert.match(got[0]?.detail ?? "", /above rspamd\.maxBytes \(1024\)/);
  });

  test("a wrong path is rspamd's HTTP error, reported as RSPAMD_UNAVAILABLE", async () => {
    // /x/checkv2 is not a command rspamd knows: it answers 500 {"error":"invalid command"}.
    const s = rspamdSource(cfg({ url: `${rspamd.url}/x` }), log);
    const got = await ask(s, input("Subject: hi\n\nbody\n"));
    assert.equal(got[0]?.name, "RSPAMD_UNAVAILABLE");
    assert.match(got[0]?.detail ?? "", /^rspamd not asked: HTTP \d{3}: /);
  });
});

describe("rspamd source failures", () => {
  test("nothing listening: RSPAMD_UNAVAILABLE with the reason, logged", async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise((r) => srv.close(r)); // now closed: connecting is refused
    const s = rspamdSource(cfg({ url: `http://127.0.0.1:${port}` }), log);
    const got = await ask(s, input("Subject: hi\n\nbody\n"));
    assert.deepEqual(got, [
      {
        name: "RSPAMD_UNAVAILABLE",
        score: 0,
        detail: `rspamd not asked: connect ECONNREFUSED 127.0.0.1:${port}`,
      },
    ]);
    assert.ok(
      logLines.some((l) => /rspamd check failed/.test(l) && /ECONNREFUSED/.test(l) && /Q123/.test(l)),
    );
  });

  test("no answer within timeoutMs: RSPAMD_UNAVAILABLE, on time", async () => {
    const sockets: net.Socket[] = [];
    const mute = net.createServer((c) => sockets.push(c)); // accepts, never answers
    await new Promise<void>((r) => mute.listen(0, "127.0.0.1", () => r()));
    try {
      const port = (mute.address() as net.AddressInfo).port;
      const s = rspamdSource(cfg({ url: `http://127.0.0.1:${port}`, timeoutMs: 200 }), log);
      const got = await ask(s, input("Subject: hi\n\nbody\n"));
      assert.deepEqual(got, [
        {
          name: "RSPAMD_UNAVAILABLE",
          score: 0,
          detail: "rspamd not asked: no answer in 200 ms (rspamd.timeoutMs)",
        },
      ]);
    } finally {
      for (const c of sockets) c.destroy();
      await new Promise((r) => mute.close(r));
    }
  });

  test("an answer that is not rspamd's JSON, or too large, is an error, not a score", async () => {
    const big = "x".repeat(2 * 1024 * 1024);
    const srv = http.createServer((req, res) => {
      req.resume();
      if (req.url === "/junk/checkv2") res.end("<html>hello</html>");
      else if (req.url === "/big/checkv2") res.end(big);
      else res.end(JSON.stringify({ action: "no action" }));
    });
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    try {
      const base = `http://127.0.0.1:${(srv.address() as net.AddressInfo).port}`;
      const detail = async (path: string) =>
        (await ask(rspamdSource(cfg({ url: base + path }), log), input("Subject: hi\n\nb\n")))[0]?.detail;
      assert.equal(await detail("/junk"), "rspamd not asked: answer is not JSON");
      assert.equal(await detail("/big"), "rspamd not asked: answer larger than 1048576 octets");
      assert.equal(await detail(""), "rspamd not asked: answer has no score");
    } finally {
      srv.closeAllConnections();
      await new Promise((r) => srv.close(r));
    }
  });

  test("rspamdSources: none when url is empty; a malformed url fails at start naming the key", () => {
    assert.deepEqual(rspamdSources(cfg({ url: "" }), log), []);
    assert.equal(rspamdSources(cfg({ url: "http://127.0.0.1:11333" }), log).length, 1);
    assert.throws(() => rspamdSources(cfg({ url: "127.0.0.1:11333" }), log), ConfigError);
    assert.throws(() => rspamdSources(cfg({ url: "ftp://x" }), log), /rspamd\.url/);
  });

  test("parseAnswer takes rspamd's symbols map; an error object is an error", () => {
    const ok = parseAnswer(
      '{"is_skipped":false,"score":3,"required_score":15,"action":"no action","symbols":{"A":{"name":"A","score":3,"description":"a"},"B":{"score":0}}}',
    );
    assert.deepEqual(ok, {
      kind: "ok",
      score: 3,
      requiredScore: 15,
      action: "no action",
      skipped: false,
      symbols: [
        { name: "A", score: 3, description: "a" },
        { name: "B", score: 0, description: "" },
      ],
    });
    assert.deepEqual(parseAnswer('{"error":"invalid command"}'), {
      kind: "error",
      detail: "invalid command",
    });
    assert.deepEqual(parseAnswer("[1]"), { kind: "error", detail: "answer has no score" });
  });
});
