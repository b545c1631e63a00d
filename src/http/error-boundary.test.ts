// Every request runs under an error boundary (server.ts serveRequest): a handler whose response
// makes writeHead throw, or a raw handler that fails half-way through its response, ends that
// request only; the listener goes on serving. The failing handlers are added to this test's own
// server at run time, so no such route ships.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { webAppFor } from "../app/web.js";
import { startTestServer, type TestServer } from "../testing/harness.js";
import { send } from "./test-client.js";

describe("http error boundary", () => {
  let srv: TestServer;
  const logged: string[] = [];
  before(async () => {
    srv = await startTestServer({
      log: {
        debug() {},
        info() {},
        warn() {},
        error: (msg, fields) => void logged.push(`${msg} ${JSON.stringify(fields)}`),
        child() {
          return this;
        },
      },
    });
    const app = webAppFor(srv.ctx);
    app.router.add({
      method: "GET",
      path: "/test/bad-header",
      access: "public",
      handler: async () => ({ status: 200, headers: { "X-Test": "a\nb" }, body: "x" }),
    });
    app.raw.unshift(async (req, res) => {
      if (req.url !== "/test/half-sent") return false;
      res.writeHead(200, { "Content-Length": "100" });
      res.write("partial");
      throw new Error("raw handler failed mid-response");
    });
  });
  after(() => srv.stop());
  const get = (path: string) =>
    send({ port: srv.ports.https!, ca: srv.certPem, host: "localhost", path, timeoutMs: 5000 });

  test("a response writeHead refuses becomes a 500, and the next request is served", async () => {
    const res = await get("/test/bad-header");
    assert.equal(res.status, 500);
    assert.equal(res.headers["x-test"], undefined);
    assert.ok(
      logged.some((l) => l.includes("/test/bad-header")),
      "logged with its route",
    );
    assert.equal((await get("/login")).status, 200);
  });

  test("a handler failing after its headers closes that connection only", async () => {
    await assert.rejects(get("/test/half-sent"), (e: Error) => e.message !== "request timeout");
    assert.equal((await get("/login")).status, 200);
  });
});
