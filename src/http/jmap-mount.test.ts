// JMAP is served by the real HTTPS listener (src/jmap mounted as a raw handler), and not on plain HTTP.
import assert from "node:assert/strict";
import { request } from "node:https";
import { after, before, describe, test } from "node:test";
import { startTestServer, type TestServer } from "../testing/harness.js";

function get(port: number, path: string, auth: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path, rejectUnauthorized: false, headers: { Authorization: auth } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("JMAP on the HTTPS listener", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.stop());

  test("session resource with Basic credentials; 401 without", async () => {
    const port = s.ports.https!;
    const u = s.users[0]!;
    const basic = `Basic ${Buffer.from(`${u.address}:${u.password}`).toString("base64")}`;
    const ok = await get(port, "/.well-known/jmap", basic);
    assert.equal(ok.status, 200);
    const session = JSON.parse(ok.body) as { username: string; apiUrl: string };
    assert.equal(session.username, u.address);
    assert.equal(session.apiUrl, `https://127.0.0.1:${port}/jmap/api`);
    const bad = await get(
      port,
      "/.well-known/jmap",
      `Basic ${Buffer.from(`${u.address}:nope`).toString("base64")}`,
    );
    assert.equal(bad.status, 401);
  });

  test("plain HTTP does not serve JMAP", async () => {
    const u = s.users[0]!;
    const res = await fetch(`http://127.0.0.1:${s.ports.http!}/.well-known/jmap`, {
      redirect: "manual",
      headers: { Authorization: `Basic ${Buffer.from(`${u.address}:${u.password}`).toString("base64")}` },
    });
    assert.equal(res.status, 404);
    assert.equal(res.headers.get("content-type")?.startsWith("application/json"), false);
  });
});
