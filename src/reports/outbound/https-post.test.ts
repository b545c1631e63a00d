// RFC 8460 5.4: the POST of a report to an https: rua, against a local HTTPS server whose name
// the resolver gives: a 2xx is success, anything else an error, a server that never answers is
// given up after timeoutMs, and a certificate for another name is refused.
import assert from "node:assert/strict";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import type { DnsResolver } from "../../dns/types.js";
import { createTestCa, type TestCa } from "../../outbound/test-certs.js";
import { postReport } from "./https-post.js";

let ca: TestCa;
let server: https.Server;
let port = 0;
const seen: { type: string; length: number }[] = [];

const resolver = {
  resolve4: async (name: string) => {
    if (name.endsWith(".reports.test")) return ["127.0.0.1"];
    throw Object.assign(new Error("ENOTFOUND"), { code: "ENOTFOUND" });
  },
  resolve6: async () => [],
} as unknown as DnsResolver;

before(async () => {
  ca = await createTestCa();
  server = https.createServer(await ca.issue(["rua.reports.test"]), (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ type: String(req.headers["content-type"]), length: Buffer.concat(chunks).length });
      if (req.url === "/hang") return; // never answers
      res.writeHead(req.url === "/ok" ? 200 : 500).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await ca.remove();
});

const opts = () => ({ resolver, timeoutMs: 400, ca: [ca.cert] });

test("2xx is success; the body and type arrive", async () => {
  const status = await postReport(
    `https://rua.reports.test:${port}/ok`,
    Buffer.alloc(100, 1),
    "application/tlsrpt+gzip",
    opts(),
  );
  assert.equal(status, 200);
  assert.deepEqual(seen.at(-1), { type: "application/tlsrpt+gzip", length: 100 });
});

test("a 500, a hanging server and a certificate for another name are errors", async () => {
  await assert.rejects(
    postReport(`https://rua.reports.test:${port}/fail`, Buffer.from("x"), "t", opts()),
    /HTTP 500/,
  );
  const t0 = Date.now();
  await assert.rejects(
    postReport(`https://rua.reports.test:${port}/hang`, Buffer.from("x"), "t", opts()),
    /timed out/,
  );
  assert.ok(Date.now() - t0 < 10_000, "bounded by timeoutMs");
  await assert.rejects(
    postReport(`https://other.reports.test:${port}/ok`, Buffer.from("x"), "t", opts()),
    /altnames|ERR_TLS_CERT_ALTNAME_INVALID/,
  );
  await assert.rejects(
    postReport("http://rua.reports.test/ok", Buffer.from("x"), "t", opts()),
    /not an https URL/,
  );
});
