// ARC sealing (arc-seal.ts): a set mailauth's verifier accepts (arc=pass), a second forwarder's
// set on top of it (i=2, cv=pass), and no seal where there is nothing true to say.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { authenticate } from "mailauth";
import { arcSeal, authResultsValue } from "./arc-seal.js";
import { fakeResolver } from "./fake-dns.js";
import { ensureDkimKeys, loadDkimKeys } from "./keys.js";

const msg = Buffer.from(
  "From: dave@ext.test\r\nTo: fwd@a.test\r\nSubject: sealed\r\nDate: Sun, 06 Dec 2026 10:00:00 +0000\r\nMessage-ID: <s@ext.test>\r\n\r\nHello.\r\n",
);
const authFields = Buffer.from(
  "Authentication-Results: mail.a.test;\r\n spf=pass smtp.mailfrom=dave@ext.test;\r\n dkim=none\r\nReceived-SPF: pass\r\n",
);

describe("ARC sealing", () => {
  let dir: string;
  let resolver: ReturnType<typeof fakeResolver>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "yubin-arc-"));
    await ensureDkimKeys(dir, "a.test", { algorithms: ["ed25519-sha256", "rsa-sha256"], rsaBits: 2048 });
    await ensureDkimKeys(dir, "c.test", { algorithms: ["rsa-sha256"], rsaBits: 2048 });
    await ensureDkimKeys(dir, "ed.test", { algorithms: ["ed25519-sha256"], rsaBits: 2048 });
    const zone: Record<string, { TXT: string[][] }> = {};
    for (const d of ["a.test", "c.test"])
      for (const k of await loadDkimKeys(dir, d))
        if (k.algorithm === "rsa-sha256")
          zone[`${k.selector}._domainkey.${d}`] = { TXT: [[`v=DKIM1; k=rsa; p=${k.publicKeyBase64}`]] };
    resolver = fakeResolver(zone);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const verify = async (m: Buffer) =>
    authenticate(m, {
      ip: "127.0.0.1",
      helo: "mail.a.test",
      sender: "x@a.test",
      mta: "mx.b.test",
      resolver: (name: string, type: string) => resolver.resolve(name, type) as Promise<string[]>,
      disableBimi: true,
    });

  test("the value of our Authentication-Results, folding kept", () => {
    assert.equal(
      authResultsValue(authFields),
      "mail.a.test;\r\n spf=pass smtp.mailfrom=dave@ext.test;\r\n dkim=none",
    );
    assert.equal(authResultsValue(Buffer.from("Received-SPF: pass\r\n")), null);
  });

  test("one set (cv=none) verifies; a second forwarder adds i=2 with cv=pass, and that verifies too", async () => {
    const first = await arcSeal(msg, { dataDir: dir, domain: "a.test", authFields, arc: "none" });
    assert.ok(first.sealed);
    const once = Buffer.concat([first.fields, msg]);
    assert.match(once.toString(), /^ARC-Seal: i=1; a=rsa-sha256; [\s\S]*cv=none/);
    assert.match(once.toString(), /ARC-Authentication-Results: i=1; mail\.a\.test;\r\n spf=pass/);
    const r1 = await verify(once);
    assert.equal(r1.arc ? r1.arc.status.result : null, "pass");

    const second = await arcSeal(once, { dataDir: dir, domain: "c.test", authFields, arc: "pass" });
    assert.ok(second.sealed);
    const twice = Buffer.concat([second.fields, once]);
    assert.match(twice.toString(), /^ARC-Seal: i=2; [\s\S]*cv=pass/);
    const r2 = await verify(twice);
    assert.equal(r2.arc ? r2.arc.status.result : null, "pass");
    assert.equal(r2.arc ? r2.arc.i : null, 2);
  });

  test("not sealed: a broken chain, no results of ours, no RSA key", async () => {
    const broken = await arcSeal(msg, { dataDir: dir, domain: "a.test", authFields, arc: "fail" });
    assert.deepEqual(broken.sealed, false);
    const noAr = await arcSeal(msg, {
      dataDir: dir,
      domain: "a.test",
      authFields: Buffer.alloc(0),
      arc: "none",
    });
    assert.deepEqual(noAr.sealed, false);
    const ed = await arcSeal(msg, { dataDir: dir, domain: "ed.test", authFields, arc: "none" });
    assert.deepEqual(ed, { sealed: false, reason: "no RSA DKIM key for ed.test" });
  });
});
