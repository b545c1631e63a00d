import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ensureSelfSigned } from "../server/tls.js";
import { certStatus } from "./cert-status.js";

describe("certificate status", () => {
  test("the generated certificate: self-signed, its names, its coverage, days left", async () => {
    const dir = await mkdtemp(join(tmpdir(), "yubin-cert-"));
    try {
      const paths = await ensureSelfSigned(dir, "mail.example.test");
      const pem = await readFile(paths.cert, "utf8");
      const now = new Date();
      const s = certStatus(pem, ["mail.example.test", "autoconfig.example.test", "localhost"], now);
      assert.equal(s.selfSigned, true);
      assert.equal(s.subject, "CN=mail.example.test");
      assert.deepEqual(s.names, ["mail.example.test", "localhost", "127.0.0.1"]);
      assert.deepEqual(s.covers, [
        { host: "mail.example.test", ok: true },
        { host: "autoconfig.example.test", ok: false },
        { host: "localhost", ok: true },
      ]);
      assert.ok(s.daysLeft > 360 * 4 && s.daysLeft <= 366 * 5, String(s.daysLeft));
      assert.match(s.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      assert.throws(() => certStatus("not a pem", []), /no certificate/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
