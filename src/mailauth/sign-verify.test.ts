// Signing (sign.ts) and inbound checks (verify.ts) against an in-memory DNS: what one side signs
// the other verifies, and every way the checks can end.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { authenticate } from "mailauth";
import { type FakeZone, fakeResolver } from "./fake-dns.js";
import { algorithmsOf, type DkimKey, generateDkimKeys } from "./keys.js";
import { createDkimSigner, signingDomain } from "./sign.js";
import { createInboundVerifier, policyAction } from "./verify.js";

let dataDir = "";
let keys: DkimKey[] = [];
before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "yubin-sign-"));
  keys = await generateDkimKeys(dataDir, "a.test", {
    algorithms: algorithmsOf("ed25519+rsa"),
    rsaBits: 2048,
  });
});
after(() => rm(dataDir, { recursive: true, force: true }));

const message = (from = "Alice <alice@a.test>") =>
  Buffer.from(
    `From: ${from}\r\nTo: bob@b.test\r\nSubject: hello\r\nDate: Mon, 5 Jan 2026 10:00:00 +0000\r\nMessage-ID: <1@a.test>\r\n\r\nHi Bob,\r\n\r\nsee you.\r\n`,
  );

function zone(dmarc = "v=DMARC1; p=reject", spf = "v=spf1 ip4:127.0.0.1 -all"): FakeZone {
  const z: FakeZone = { "a.test": { TXT: [[spf]] }, "_dmarc.a.test": { TXT: [[dmarc]] } };
  for (const k of keys)
    z[`${k.selector}._domainkey.a.test`] = {
      TXT: [[`v=DKIM1; k=${k.algorithm === "rsa-sha256" ? "rsa" : "ed25519"}; p=${k.publicKeyBase64}`]],
    };
  return z;
}

const verifier = (z: FakeZone, extra: { random?: () => number; timeoutMs?: number; delayMs?: number } = {}) =>
  createInboundVerifier({
    resolver: fakeResolver(z, { delayMs: extra.delayMs }),
    authservId: "mx.b.test",
    timeoutMs: extra.timeoutMs ?? 5000,
    minRsaBits: 1024,
    maxAuthorDomains: 5,
    random: extra.random,
  });

describe("DKIM signing", () => {
  test("signs with ed25519-sha256 and rsa-sha256 for the From domain", async () => {
    const signer = createDkimSigner({ dataDir, algorithms: algorithmsOf("ed25519+rsa") });
    const body = message();
    const signed = await signer.sign(body);
    const head = signed.subarray(0, signed.length - body.length).toString();
    assert.ok(signed.subarray(signed.length - body.length).equals(body), "message itself unchanged");
    const sigs = head.split(/\r\n(?=DKIM-Signature:)/);
    assert.equal(sigs.length, 2);
    assert.match(sigs[0]!, /^DKIM-Signature: .*a=ed25519-sha256;.*d=a\.test;/s);
    assert.match(sigs[0]!, /s=y\d{4}a-ed;/);
    assert.match(sigs[1]!, /a=rsa-sha256;.*d=a\.test;/s);
    assert.match(head, /c=relaxed\/relaxed/);
    assert.match(head, /h=[^;]*From/i);
  });

  test("leaves mail alone that is not ours to sign", async () => {
    const ours = new Set(["a.test"]);
    const signer = createDkimSigner({
      dataDir,
      algorithms: algorithmsOf("ed25519+rsa"),
      isOurDomain: async (d) => ours.has(d),
    });
    for (const body of [
      message("someone@elsewhere.test"), // not ours
      message("x@nokeys.test"), // no keys
      Buffer.from("From: a@a.test\r\nFrom: b@a.test\r\n\r\nx\r\n"), // two From fields
      Buffer.from("Subject: no from\r\n\r\nx\r\n"),
    ])
      assert.equal(await signer.sign(body), body);
    ours.delete("a.test"); // keys on disk, but the domain was removed
    const b = message();
    assert.equal(await signer.sign(b), b);
  });

  test("the domain comes from the header From, or from the caller", () => {
    assert.equal(signingDomain(message('"Al, B" <al@A.Test>')), "a.test");
    assert.equal(signingDomain(message("al@a.test, bo@b.test")), "a.test");
    assert.equal(signingDomain(message("undisclosed:;")), null);
    assert.equal(signingDomain(message("broken@")), null);
    assert.equal(signingDomain(message(), "postmaster@B.test"), "b.test");
    assert.equal(signingDomain(message(), "c.test"), "c.test");
  });

  test("only the configured algorithms sign", async () => {
    const signer = createDkimSigner({ dataDir, algorithms: algorithmsOf("rsa") });
    const head = (await signer.sign(message())).toString();
    assert.equal(head.match(/^DKIM-Signature:/gm)?.length, 1);
    assert.match(head, /a=rsa-sha256/);
  });
});

describe("inbound checks", () => {
  test("signed mail from a listed IP: dkim, spf and dmarc pass", async () => {
    const signed = await createDkimSigner({ dataDir, algorithms: algorithmsOf("ed25519+rsa") }).sign(
      message(),
    );
    const v = await verifier(zone()).verify({
      body: signed,
      ip: "127.0.0.1",
      helo: "mail.a.test",
      mailFrom: "alice@a.test",
    });
    assert.equal(v.spf, "pass");
    assert.deepEqual(
      v.dkim.map((d) => [d.domain, d.result, d.aligned]),
      [
        ["a.test", "pass", true],
        ["a.test", "pass", true],
      ],
    );
    assert.deepEqual(v.dmarc, { result: "pass", domain: "a.test", policy: "reject" });
    assert.equal(v.dmarcPolicyAction, "none");
    assert.match(v.authResultsHeader, /^Authentication-Results: mx\.b\.test;\r\n /);
    assert.match(
      v.authResultsHeader,
      /dkim=pass header\.i=@a\.test header\.s=y\d{4}a-ed header\.a=ed25519-sha256/,
    );
    assert.match(v.authResultsHeader, /spf=pass [^;]*smtp\.mailfrom=alice@a\.test/);
    assert.match(v.authResultsHeader, /dmarc=pass [^;]*header\.from=a\.test/);
    assert.ok(v.authResultsHeader.endsWith("\r\n") && !v.authResultsHeader.includes("\r\n\r\n"));
    assert.match(v.receivedSpfHeader, /^Received-SPF: pass .*client-ip=127\.0\.0\.1;\r\n$/s);
  });

  test("forged: unsigned, unlisted IP, p=reject → reject; p=quarantine → quarantine; p=none → none", async () => {
    const forged = { body: message(), ip: "127.0.0.9", helo: "evil.test", mailFrom: "alice@a.test" };
    const r = await verifier(zone()).verify(forged);
    assert.equal(r.spf, "fail");
    assert.deepEqual(r.dmarc, { result: "fail", domain: "a.test", policy: "reject" });
    assert.equal(r.dmarcPolicyAction, "reject");
    assert.match(r.authResultsHeader, /dkim=none/);
    assert.equal(
      (await verifier(zone("v=DMARC1; p=quarantine")).verify(forged)).dmarcPolicyAction,
      "quarantine",
    );
    assert.equal((await verifier(zone("v=DMARC1; p=none")).verify(forged)).dmarcPolicyAction, "none");
    // No DMARC record at all: nothing to enforce.
    const z = zone();
    delete z["_dmarc.a.test"];
    const none = await verifier(z).verify(forged);
    assert.equal(none.dmarc?.result, "none");
    assert.equal(none.dmarcPolicyAction, "none");
  });

  test("a body changed after signing fails DKIM; SPF alone still aligns DMARC", async () => {
    const signed = await createDkimSigner({ dataDir, algorithms: algorithmsOf("ed25519+rsa") }).sign(
      message(),
    );
    const tampered = Buffer.from(signed.toString().replace("see you.", "send money."));
    const v = await verifier(zone()).verify({
      body: tampered,
      ip: "127.0.0.1",
      helo: null,
      mailFrom: "alice@a.test",
    });
    // mailauth reports a body hash mismatch as "neutral (body hash did not verify)": not a pass.
    assert.deepEqual(
      v.dkim.map((d) => d.result),
      ["neutral", "neutral"],
    );
    assert.match(v.authResultsHeader, /dkim=neutral \(body hash did not verify\)/);
    assert.equal(v.dmarc?.result, "pass");
    const off = await verifier(zone()).verify({
      body: tampered,
      ip: "127.0.0.2",
      helo: null,
      mailFrom: "alice@a.test",
    });
    assert.equal(off.dmarcPolicyAction, "reject");
  });

  test("a temporary DNS failure behind a would-be reject defers instead", async () => {
    const v = await createInboundVerifier({
      resolver: fakeResolver(zone(), { failNames: { "a.test": "ETIMEOUT" } }),
      authservId: "mx.b.test",
      timeoutMs: 5000,
      minRsaBits: 1024,
      maxAuthorDomains: 5,
    }).verify({ body: message(), ip: "127.0.0.9", helo: null, mailFrom: "alice@a.test" });
    assert.equal(v.spf, "temperror");
    assert.equal(v.dmarc?.result, "fail");
    assert.equal(v.dmarcPolicyAction, "defer");
  });

  test("the whole check is bounded by timeoutMs", async () => {
    const t0 = Date.now();
    // Each answer 8 s late, the check given 150 ms: ended by its own bound, it takes about
    // 150 ms; the bound asserted is half a lookup, not 150 ms plus a guess at the machine's
    // slack (a loaded machine fires a timer hundreds of milliseconds late).
    const v = await verifier(zone(), { timeoutMs: 150, delayMs: 8000 }).verify({
      body: message(),
      ip: "127.0.0.9",
      helo: null,
      mailFrom: "alice@a.test",
    });
    const took = Date.now() - t0;
    assert.ok(took >= 140 && took < 4000, `took ${took} ms`);
    assert.equal(v.timedOut, true);
    assert.equal(v.dmarcPolicyAction, "none");
    assert.match(
      v.authResultsHeader,
      /^Authentication-Results: mx\.b\.test;\r\n spf=temperror reason="verification timed out";/,
    );
  });

  test("an ARC set added by a forwarder is verified and recorded (RFC 8617)", async () => {
    const [fk] = await generateDkimKeys(dataDir, "fwd.test", {
      algorithms: algorithmsOf("rsa"),
      rsaBits: 2048,
    });
    const z = zone();
    z[`${fk!.selector}._domainkey.fwd.test`] = { TXT: [[`v=DKIM1; k=rsa; p=${fk!.publicKeyBase64}`]] };
    const signed = await createDkimSigner({ dataDir, algorithms: algorithmsOf("ed25519+rsa") }).sign(
      message(),
    );
    // The forwarder checks what it got and seals it (ARC-Seal, ARC-Message-Signature, ARC-A-R).
    const atForwarder = await authenticate(signed, {
      ip: "127.0.0.1",
      helo: "mail.a.test",
      sender: "alice@a.test",
      mta: "fwd.test",
      resolver: (n, t) => fakeResolver(z).resolve(n, t) as Promise<string[]>,
      disableBimi: true,
      seal: { signingDomain: "fwd.test", selector: fk!.selector, privateKey: fk!.privateKeyPem },
    });
    const sealed = Buffer.concat([
      Buffer.from(atForwarder.headers.split(/\r\n(?=Received-SPF:)/)[0]! + "\r\n"),
      signed,
    ]);
    assert.match(sealed.toString(), /^ARC-Seal: i=1; /);
    const v = await verifier(z).verify({
      body: sealed,
      ip: "127.0.0.5",
      helo: "fwd.test",
      mailFrom: "list@fwd.test",
    });
    assert.equal(v.arc, "pass");
    assert.match(v.authResultsHeader, /^ arc=pass \(i=1 spf=pass dkim=pass dkdomain=a\.test/m);
    assert.equal(v.dmarc?.result, "pass"); // DKIM survived the forward
  });

  test("pct sampling picks the next weaker policy for messages not sampled (RFC 7489 §6.6.4)", () => {
    const fail = (policy: string) => ({ result: "fail", policy });
    const r = (x: number) => () => x;
    assert.equal(policyAction(fail("reject"), undefined, false, r(0.99)), "reject");
    assert.equal(policyAction(fail("reject"), 50, false, r(0.2)), "reject");
    assert.equal(policyAction(fail("reject"), 50, false, r(0.7)), "quarantine");
    assert.equal(policyAction(fail("quarantine"), 0, false, r(0)), "none");
    assert.equal(policyAction(fail("quarantine"), 100, false, r(0.999)), "quarantine");
    assert.equal(policyAction(fail("reject"), 100, true, r(0)), "defer");
    assert.equal(policyAction({ result: "pass", policy: "reject" }, 100, false, r(0)), "none");
    assert.equal(policyAction({ result: "temperror", policy: "reject" }, 100, false, r(0)), "none");
    assert.equal(policyAction(fail("none"), 100, false, r(0)), "none");
    assert.equal(policyAction(null, 100, false, r(0)), "none");
  });
});
