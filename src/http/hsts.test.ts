// Strict-Transport-Security (RFC 6797) is sent over HTTPS by default once a certificate is
// configured ([tls] cert), on the pages and on the webmail/JMAP responses alike; never with the
// self-signed first-start certificate, never over plain HTTP, and not with http.hstsMaxAgeSec = 0.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ensureSelfSigned } from "../server/tls.js";
import { startTestServer, type TestServer } from "../testing/harness.js";
import { send } from "./test-client.js";

const get = (srv: TestServer, path: string) =>
  send({ port: srv.ports.https!, ca: srv.certPem, host: "localhost", path });

describe("HSTS", () => {
  let certDir: string;
  let configured: TestServer;
  let turnedOff: TestServer;
  let selfSigned: TestServer;
  before(async () => {
    certDir = await mkdtemp(join(tmpdir(), "yubin-cert-"));
    // Stands for a real certificate: what matters is that [tls] cert names one.
    const paths = await ensureSelfSigned(certDir, "localhost");
    const tls = { cert: paths.cert, key: paths.key };
    configured = await startTestServer({ config: { tls } });
    turnedOff = await startTestServer({ config: { tls, http: { hstsMaxAgeSec: 0 } } });
    selfSigned = await startTestServer();
  });
  after(async () => {
    await Promise.all([configured.stop(), turnedOff.stop(), selfSigned.stop()]);
    await rm(certDir, { recursive: true, force: true });
  });

  test("sent with a configured certificate, on pages, errors, JMAP and the webmail", async () => {
    for (const path of ["/login", "/no-such-page", "/.well-known/jmap", "/"]) {
      const res = await get(configured, path);
      assert.equal(res.headers["strict-transport-security"], "max-age=31536000", path);
    }
  });

  test("not over plain HTTP", async () => {
    const res = await send({ port: configured.ports.http!, host: "localhost", path: "/login" });
    assert.equal(res.headers["strict-transport-security"], undefined);
  });

  test("not with hstsMaxAgeSec = 0, nor with the self-signed certificate", async () => {
    for (const srv of [turnedOff, selfSigned]) {
      const res = await get(srv, "/login");
      assert.equal(res.status, 200);
      assert.equal(res.headers["strict-transport-security"], undefined);
    }
  });
});
