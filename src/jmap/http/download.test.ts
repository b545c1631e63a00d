// The JMAP download URL (RFC 8620 6.2) on the real HTTPS listener: a malformed %-escape in any
// of its variables is the client's error, 400, not a logged 500.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { send } from "../../http/test-client.js";
import type { Logger } from "../../log/logger.js";
import { startTestServer, type TestServer, testPassword } from "../../testing/harness.js";

describe("JMAP download URL", () => {
  let srv: TestServer;
  const errors: string[] = [];
  const log: Logger = {
    debug() {},
    info() {},
    warn() {},
    error: (msg) => void errors.push(msg),
    child: () => log,
  };
  before(async () => {
    srv = await startTestServer({ log });
  });
  after(() => srv.stop());

  const download = (path: string) => {
    const u = srv.users[0]!;
    return send({
      port: srv.ports.https!,
      ca: srv.certPem,
      host: "localhost",
      path,
      headers: { Authorization: `Basic ${Buffer.from(`${u.address}:${testPassword}`).toString("base64")}` },
    });
  };

  test("a malformed %-escape gets 400 and logs no error", async () => {
    const acc = `A${srv.users[0]!.id}`;
    for (const path of [
      `/jmap/download/${acc}/Gabc/%E0%A4%A`,
      `/jmap/download/${acc}/%ZZ/x.bin`,
      "/jmap/download/%/Gabc/x.bin",
    ]) {
      const res = await download(path);
      assert.equal(res.status, 400, path);
      assert.equal(res.headers["content-type"], "application/problem+json");
    }
    assert.deepEqual(errors, []);
    // A well-formed URL for a blob that does not exist is still a plain 404.
    assert.equal((await download(`/jmap/download/${acc}/Gabc/x.bin`)).status, 404);
  });
});
