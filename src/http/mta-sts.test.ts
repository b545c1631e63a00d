import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestServer, type TestServer } from "../testing/harness.js";
import { send } from "./test-client.js";

describe("MTA-STS policy (RFC 8461 §3.2)", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ config: { mailauth: { recordMtaStsMode: "enforce" } } });
  });
  after(() => srv.stop());

  test("served over HTTPS for mta-sts.DOMAIN of a hosted domain only", async () => {
    const get = (host: string) =>
      send({
        port: srv.ports.https!,
        ca: srv.certPem,
        servername: "mail.example.test",
        host,
        path: "/.well-known/mta-sts.txt",
      });
    const res = await get("mta-sts.example.test");
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "text/plain; charset=utf-8");
    assert.equal(
      res.body,
      "version: STSv1\r\nmode: enforce\r\nmx: mail.example.test\r\nmax_age: 2592000\r\n",
    );
    assert.equal((await get("mta-sts.elsewhere.test")).status, 404);
    assert.equal((await get("example.test")).status, 404);
    const plain = await send({
      port: srv.ports.http!,
      host: "mta-sts.example.test",
      path: "/.well-known/mta-sts.txt",
    });
    assert.equal(plain.status, 301);
  });
});
