// One client cannot hold the web listeners' connections: beyond http.maxConnectionsPerIp its
// connections are closed at once while other clients are served, and a half-sent request or an
// unfinished TLS handshake is closed after http.headersTimeoutSec.
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { webAppFor } from "../app/web.js";
import { startTestServer, type TestServer } from "../testing/harness.js";
import { clientKey } from "./connection-cap.js";
import { send } from "./test-client.js";

/** A connection from `localAddress` (Linux loopback accepts any 127.x source). */
function open(port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port, localAddress }, () => resolve(s));
    s.once("error", reject);
  });
}

/** Resolves with what the peer sent once it closes `s`; rejects after `ms`. */
function closedBy(s: Socket, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = "";
    s.on("data", (c: Buffer) => {
      got += c.toString("latin1");
    });
    s.on("error", () => {});
    const timer = setTimeout(() => reject(new Error("still open")), ms);
    s.once("close", () => {
      clearTimeout(timer);
      resolve(got);
    });
  });
}

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(cond(), what);
}

const HALF_REQUEST = "GET /login HTTP/1.1\r\nHost: localhost\r\nX-Slow: ";

test("clientKey: IPv4 as is, IPv6 by /64", () => {
  assert.equal(clientKey("127.0.0.2"), "127.0.0.2");
  assert.equal(clientKey("::ffff:10.0.0.1"), "10.0.0.1");
  assert.equal(clientKey("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  assert.equal(clientKey("2001:DB8:1:2::9"), "2001:db8:1:2::/64");
  assert.equal(clientKey("2001:db8::1"), "2001:db8:0:0::/64");
  assert.equal(clientKey("2001:0db8:0:1::192.0.2.1"), "2001:db8:0:1::/64");
  assert.equal(clientKey("::1"), "0:0:0:0::/64");
});

describe("per-client connection cap", () => {
  const cap = 8;
  let srv: TestServer;
  const held: Socket[] = [];
  before(async () => {
    srv = await startTestServer({
      config: {
        http: { maxConnectionsPerIp: cap, headersTimeoutSec: 60, requestTimeoutSec: 60 },
        server: { connectionLimitExemptIps: ["127.0.0.3"] },
      },
    });
  });
  after(async () => {
    for (const s of held) s.destroy();
    await srv.stop();
  });

  test("cap+N half-sent requests from one IP: the excess is closed, other IPs are served", async () => {
    const conns = webAppFor(srv.ctx).connections;
    // Spread over both listeners: the cap is shared.
    for (let i = 0; i < cap; i++) {
      const s = await open(i % 2 ? srv.ports.https! : srv.ports.http!, "127.0.0.2");
      if (i % 2 === 0) s.write(HALF_REQUEST);
      held.push(s);
    }
    await until("all counted", () => conns.active === cap);
    for (const port of [srv.ports.http!, srv.ports.https!, srv.ports.http!, srv.ports.https!]) {
      const extra = await open(port, "127.0.0.2");
      extra.write(HALF_REQUEST);
      assert.equal(await closedBy(extra, 5000), "", "closed at once, nothing parsed");
    }
    assert.equal(conns.active, cap);
    // Another address is served on both listeners meanwhile.
    const https = await send({ port: srv.ports.https!, ca: srv.certPem, host: "localhost", path: "/login" });
    assert.equal(https.status, 200);
    const http = await send({ port: srv.ports.http!, host: "localhost", path: "/login" });
    assert.equal(http.status, 301);
    // The slots come back when the held connections close.
    for (const s of held.splice(0)) s.destroy();
    await until("released", () => conns.active === 0);
    const again = await open(srv.ports.http!, "127.0.0.2");
    held.push(again);
    again.write("GET /login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assert.match(await closedBy(again, 5000), /^HTTP\/1\.1 301 /);
  });

  test("an exempt address (a proxy) is not capped", async () => {
    for (let i = 0; i < cap; i++) held.push(await open(srv.ports.http!, "127.0.0.3"));
    const more = await open(srv.ports.http!, "127.0.0.3");
    more.write("GET /login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assert.match(await closedBy(more, 5000), /^HTTP\/1\.1 301 /);
  });
});

describe("header timeout", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ config: { http: { headersTimeoutSec: 1 } } });
  });
  after(() => srv.stop());

  test("a half-sent request gets 408 and is closed; a silent TLS client is closed", async () => {
    const half = await open(srv.ports.http!, "127.0.0.1");
    half.write(HALF_REQUEST);
    // 1 s limit, checked every 250 ms: 10 s is a wide margin on a loaded machine.
    assert.match(await closedBy(half, 10_000), /^HTTP\/1\.1 408 /);
    const silent = await open(srv.ports.https!, "127.0.0.1");
    assert.equal(await closedBy(silent, 10_000), "");
  });
});
