// ARC (RFC 8617) against dkimpy, an independent implementation, both ways: dkimpy seals and we
// verify, we seal and dkimpy verifies, chains of three hops mixing both; raw UTF-8 fields holding
// byte 0xA0 (which mailauth 4.13.3 took for whitespace, failing good chains); broken chains (a gap,
// cv=fail, a changed body, a changed seal) failing at both; and our Authentication-Results "arc="
// item compared with mailauth's authenticate() where mailauth reads the chain right.
import assert from "node:assert/strict";
import { createPrivateKey } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { authenticate } from "mailauth";
import { arcSeal } from "./arc-seal.js";
import { verifyArc } from "./arc-verify.js";
import { authenticateMessage } from "./authenticate.js";
import { parseHeader } from "./dkim-canon.js";
import { KeyCache } from "./dkim-verify.js";
import { dkimpy, dkimpyArcSkip } from "./dkimpy.js";
import { type FakeZone, fakeResolver } from "./fake-dns.js";
import { ensureDkimKeys, loadDkimKeys } from "./keys.js";

const skip = dkimpyArcSkip();
const L = (s: string) => Buffer.from(s, "latin1");
const DOMAINS = ["a.test", "c.test", "e.test"];
let dataDir = "";
const zone: Record<string, string> = {};
const pkcs1: Record<string, { selector: string; pem: string }> = {};

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "yubin-arc-interop-"));
  for (const d of DOMAINS) {
    await ensureDkimKeys(dataDir, d, { algorithms: ["rsa-sha256"], rsaBits: 2048 });
    const k = (await loadDkimKeys(dataDir, d))[0]!;
    zone[`${k.selector}._domainkey.${d}`] = `v=DKIM1; k=rsa; p=${k.publicKeyBase64}`;
    pkcs1[d] = {
      selector: k.selector,
      pem: createPrivateKey(k.privateKeyPem).export({ type: "pkcs1", format: "pem" }).toString(),
    };
  }
  zone["ext.test"] = "v=spf1 -all";
});
after(() => rm(dataDir, { recursive: true, force: true }));

const fakeZone = (): FakeZone =>
  Object.fromEntries(Object.entries(zone).map(([n, v]) => [n, { TXT: [[v]] }]));
const keys = new KeyCache();
const ours = async (m: Buffer) =>
  verifyArc(m, parseHeader(m), { resolveTxt: async (n) => [[zone[n] ?? ""]], minRsaBits: 1024, keys });

// "à" (C3 A0) and the Cyrillic "Р" (D0 A0) in a raw UTF-8 Subject (RFC 6532).
const UTF8_SUBJECT = "Subject: voil\xc3\xa0 \xd0\xa0\xd0\xbe\xd0\xbc\xd0\xb0";

function message(n: number, subject = `Subject: note ${n}`): Buffer {
  return L(
    `From: Dave <dave@ext.test>\r\nTo: list${n}@a.test\r\n${subject}\r\n` +
      `Date: Mon, 7 Dec 2026 10:00:00 +0000\r\nMessage-ID: <m${n}@ext.test>\r\n\r\n` +
      `Hello  there\t\r\nline ${n}\r\n\r\n`,
  );
}

/** Our hop: the A-R we would have written, then our set on top. */
async function ourHop(m: Buffer, domain: string, arc: "none" | "pass", arText = ""): Promise<Buffer> {
  const authFields = L(
    `Authentication-Results: mx.${domain};\r\n spf=pass smtp.mailfrom=dave@ext.test${arText}\r\n`,
  );
  const out = await arcSeal(m, { dataDir, domain, authFields, arc });
  assert.ok(out.sealed, out.sealed ? "" : out.reason);
  return Buffer.concat([out.fields, m]);
}

/** dkimpy's hop: an A-R under its srv-id (with arc=… when a chain came in), then its set. */
function dkimpyHops(ms: { msg: Buffer; domain: string; arc?: string }[]): Buffer[] {
  const withAr = ms.map(({ msg, domain, arc }) =>
    Buffer.concat([
      L(
        `Authentication-Results: mx.${domain}; spf=pass smtp.mailfrom=dave@ext.test${arc ? `; arc=${arc}` : ""}\r\n`,
      ),
      msg,
    ]),
  );
  const out = dkimpy(
    zone,
    withAr.map((msg, i) => ({
      op: "arc-sign" as const,
      msg,
      selector: pkcs1[ms[i]!.domain]!.selector,
      domain: ms[i]!.domain,
      key: pkcs1[ms[i]!.domain]!.pem,
      srvId: `mx.${ms[i]!.domain}`,
      timestamp: Math.floor(Date.now() / 1000),
    })),
  );
  return out.map((o, i) => {
    assert.ok(Buffer.isBuffer(o) && o.length > 0, `dkimpy did not seal ${i}: ${String(o)}`);
    return Buffer.concat([o as Buffer, withAr[i]!]);
  });
}

const dkimpyVerdicts = (msgs: Buffer[]) =>
  dkimpy(
    zone,
    msgs.map((msg) => ({ op: "arc-verify" as const, msg })),
  ) as [string, string][];

describe("ARC against dkimpy", { skip }, () => {
  test("dkimpy seals (ASCII and raw UTF-8 subjects), we verify: pass", async () => {
    const msgs = [message(1), message(2, UTF8_SUBJECT), message(3, `${UTF8_SUBJECT}\r\n\tfolded\xc2\xa0too`)];
    const sealed = dkimpyHops(msgs.map((msg) => ({ msg, domain: "a.test" })));
    for (const [i, m] of sealed.entries()) {
      const r = await ours(m);
      assert.equal(r.status.result, "pass", `message ${i}: ${r.info}`);
      assert.equal(r.info, "arc=pass (i=1 spf=pass)");
    }
    assert.deepEqual(
      dkimpyVerdicts(sealed).map((v) => v[0]),
      ["pass", "pass", "pass"],
    );
  });

  test("we seal (UTF-8 subject, UTF-8 in our A-R), dkimpy verifies: pass", async () => {
    const msgs = [message(4), message(5, UTF8_SUBJECT)];
    const sealed = [
      await ourHop(msgs[0]!, "a.test", "none"),
      await ourHop(msgs[1]!, "a.test", "none", " (voil\xc3\xa0)"),
    ];
    assert.deepEqual(dkimpyVerdicts(sealed), [
      ["pass", "success"],
      ["pass", "success"],
    ]);
    for (const m of sealed) assert.equal((await ours(m)).status.result, "pass");
  });

  test("three hops mixing both, each verified by both", async () => {
    // dkimpy → ours → dkimpy
    const [h1] = dkimpyHops([{ msg: message(6, UTF8_SUBJECT), domain: "a.test" }]);
    assert.equal((await ours(h1!)).status.result, "pass");
    const h2 = await ourHop(h1!, "c.test", "pass", ";\r\n arc=pass");
    const [h3] = dkimpyHops([{ msg: h2, domain: "e.test", arc: "pass" }]);
    // ours → dkimpy → ours
    const g1 = await ourHop(message(7, UTF8_SUBJECT), "a.test", "none");
    const [g2] = dkimpyHops([{ msg: g1, domain: "c.test", arc: "pass" }]);
    const g3 = await ourHop(g2!, "e.test", "pass", ";\r\n arc=pass");
    const all = [h2, h3!, g2!, g3];
    assert.deepEqual(
      dkimpyVerdicts(all).map((v) => v[0]),
      ["pass", "pass", "pass", "pass"],
    );
    const mine = await Promise.all(all.map(ours));
    assert.deepEqual(
      mine.map((r) => [r.status.result, r.i]),
      [
        ["pass", 2],
        ["pass", 3],
        ["pass", 2],
        ["pass", 3],
      ],
    );
  });

  test("broken chains fail at both: changed body, gap, cv=fail, changed seal, rsa-sha1", async () => {
    const one = await ourHop(message(8), "a.test", "none");
    const two = await ourHop(one, "c.test", "pass");
    const text = two.toString("latin1");
    const changedBody = Buffer.concat([two, L("appended\r\n")]);
    // The i=1 set renumbered 3: instances 2 and 3, no 1.
    const gap = L(text.replace(/i=1;/g, "i=3;"));
    const cvFail = L(text.replace("cv=pass;", "cv=fail;"));
    // The oldest seal's signature altered in its middle.
    const asLine = /ARC-Seal: i=1;[\s\S]*?\sb=([A-Za-z0-9+/]{40})/.exec(text)!;
    const flipped = asLine[1]!.replace(
      /^(.{30})(.)/,
      (_m, a: string, c: string) => a + (c === "A" ? "B" : "A"),
    );
    const badSeal = L(text.replace(asLine[1]!, flipped));
    const sha1 = L(text.replace(/(ARC-Seal: i=2; a=)rsa-sha256/, "$1rsa-sha1"));
    const cases = [changedBody, gap, cvFail, badSeal, sha1];
    const theirs = dkimpyVerdicts(cases);
    for (const [i, v] of theirs.entries()) assert.notEqual(v[0], "pass", `case ${i} at dkimpy: ${v[1]}`);
    const mine = await Promise.all(cases.map(ours));
    assert.deepEqual(
      mine.map((r) => r.info),
      [
        "arc=fail (i=2 no valid signature)",
        "arc=fail (i=2 expected=1)",
        "arc=fail (i=2 cv=fail)",
        // The newest seal covers the older one's bytes, so it fails first.
        "arc=fail (i=2 seal signature validation failed)",
        "arc=fail (i=2 unsupported algorithm rsa-sha1)",
      ],
    );
  });
});

describe("ARC as mailauth reported it", { skip }, () => {
  const resolver = () => {
    const r = fakeResolver(fakeZone());
    return (n: string, t: string) => r.resolve(n, t) as Promise<string[]>;
  };
  const both = async (body: Buffer) => {
    const resolve = resolver();
    const opts = { ip: "127.0.0.9", helo: "mail.ext.test", sender: "dave@ext.test", mta: "mx.b.test" };
    const theirs = await authenticate(body, {
      ...opts,
      resolver: resolve,
      minBitLength: 1024,
      disableBimi: true,
    });
    const mine = await authenticateMessage(body, {
      ...opts,
      resolver: resolve,
      minBitLength: 1024,
      maxSignatures: 10,
      keys,
    });
    return { theirs: theirs.headers, mine: mine.headers, arc: mine.arc };
  };

  test("the same Authentication-Results for chains mailauth reads right", async () => {
    const one = await ourHop(
      message(9),
      "a.test",
      "none",
      ";\r\n dkim=pass header.i=@ext.test;\r\n dmarc=pass header.from=ext.test",
    );
    const two = await ourHop(one, "c.test", "pass", ";\r\n arc=pass");
    const [py] = dkimpyHops([{ msg: message(10), domain: "a.test" }]);
    const text = two.toString("latin1");
    const cases = [
      message(11),
      one,
      two,
      py!,
      Buffer.concat([two, L("x\r\n")]),
      L(text.replace(/i=1;/g, "i=3;")),
      L(text.replace("cv=pass;", "cv=fail;")),
      L(text.replace("cv=none;", "cv=pass;")),
      L(text.replace(/ARC-Authentication-Results: i=2;[\s\S]*?\r\n(?! )/, "")),
      L(`ARC-Seal: i=1; a=rsa-sha256; cv=none; d=a.test; s=x; b=AAAA\r\n${one.toString("latin1")}`),
    ];
    const items: string[] = [];
    for (const [i, c] of cases.entries()) {
      const r = await both(c);
      assert.equal(r.mine, r.theirs, `case ${i}`);
      items.push(r.arc.info ?? "none");
    }
    assert.deepEqual(items, [
      "none",
      "arc=pass (i=1 spf=pass dkim=pass dkdomain=ext.test dmarc=pass fromdomain=ext.test)",
      "arc=pass (i=2 spf=pass)",
      "arc=pass (i=1 spf=pass)",
      "arc=fail (i=2 no valid signature)",
      "arc=fail (i=2 expected=1)",
      "arc=fail (i=2 cv=fail)",
      "arc=fail (i=1 cv= pass)",
      "arc=fail (i=2 no arc-authentication-results set)",
      "arc=fail (i=1 multiple arc-seal values)",
    ]);
    assert.match((await both(two)).mine, /arc=pass \(i=2 spf=pass\)/);
    assert.match(
      (await both(one)).mine,
      /arc=pass \(i=1 spf=pass dkim=pass dkdomain=ext\.test dmarc=pass fromdomain=ext\.test\)/,
    );
  });

  test("a chain over a raw UTF-8 Subject: mailauth failed it, ours passes (and dkimpy agrees)", async () => {
    const [py] = dkimpyHops([{ msg: message(12, UTF8_SUBJECT), domain: "a.test" }]);
    const r = await both(py!);
    assert.match(r.theirs, /arc=fail \(i=1 no valid signature\)/);
    assert.match(r.mine, /arc=pass \(i=1 spf=pass\)/);
    assert.equal(dkimpyVerdicts([py!])[0]![0], "pass");
  });
});

describe("ARC bounds", () => {
  test("thousands of ARC fields: one scan, a fail, no lookups", async () => {
    const many = "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=a.test; s=x; b=AAAA\r\n".repeat(5000);
    const m = Buffer.concat([L(many), message(13)]);
    const lookups: string[] = [];
    const t0 = process.cpuUsage();
    const r = await verifyArc(m, parseHeader(m), {
      resolveTxt: async (n) => {
        lookups.push(n);
        return [];
      },
      minRsaBits: 1024,
      keys,
    });
    const cpu = process.cpuUsage(t0);
    assert.equal(r.info, "arc=fail (i=1 multiple arc-seal values)");
    assert.deepEqual(lookups, []);
    const distinct = Array.from(
      { length: 5000 },
      (_, k) => `ARC-Seal: i=${k + 1}; a=rsa-sha256; cv=pass; d=a.test; s=x; b=A\r\n`,
    ).join("");
    const m2 = Buffer.concat([L(distinct), message(14)]);
    assert.equal((await ours(m2)).info, "arc=fail (more than 150 arc header fields)");
    assert.ok((cpu.user + cpu.system) / 1000 < 1000, "bounded work");
  });
});
