// The admin start page shows the process's health counters (server/health.ts): uncaught errors
// survived and event-loop blocks, so an operator sees that something hostile is going on.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { WebClient } from "../http/test-client.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";

let srv: TestServer;
let web: WebClient;
before(async () => {
  srv = await startTestServer({
    users: [{ address: "admin@example.test", password: testPassword, isAdmin: true }],
  });
  web = new WebClient(srv.ports.https!, srv.certPem);
  assert.equal((await web.login("admin@example.test", testPassword)).status, 303);
});
after(() => srv.stop());

test("the start page shows the uncaught-error and event-loop-block counters", async () => {
  srv.ctx.health.uncaughtErrors = 3;
  srv.ctx.health.loopBlocks = 2;
  srv.ctx.health.longestBlockMs = 812;
  const res = await web.get("/admin");
  assert.equal(res.status, 200);
  assert.match(
    res.body,
    /Since start: 3 uncaught error\(s\) survived, 2 event-loop block\(s\) logged \(longest 812 ms\)/,
  );
});
