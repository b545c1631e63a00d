// RFC 8301 §3.1: "Verifiers MUST NOT consider signatures using rsa-sha1 valid." A good rsa-sha1
// signature (made by dkimpy, which still signs and accepts them) is dkim=policy here, in DKIM and
// so in DMARC; mailauth 4.13.3 and our verifier before this passed it.
import assert from "node:assert/strict";
import { createPrivateKey } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { parseHeader } from "./dkim-canon.js";
import { KeyCache, verifyDkim } from "./dkim-verify.js";
import { dkimpy, dkimpySkip } from "./dkimpy.js";
import { fakeResolver } from "./fake-dns.js";
import { type DkimKey, generateDkimKeys } from "./keys.js";
import { createInboundVerifier } from "./verify.js";

const skip = dkimpySkip();
let dataDir = "";
let rsa: DkimKey;
const zone: Record<string, string> = {};
before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "yubin-rsa-sha1-"));
  [rsa] = (await generateDkimKeys(dataDir, "a.test", { algorithms: ["rsa-sha256"], rsaBits: 2048 })) as [
    DkimKey,
  ];
  zone[`${rsa.selector}._domainkey.a.test`] = `v=DKIM1; k=rsa; p=${rsa.publicKeyBase64}`;
  zone["a.test"] = "v=spf1 ip4:127.0.0.1 -all";
  zone["_dmarc.a.test"] = "v=DMARC1; p=reject";
});
after(() => rm(dataDir, { recursive: true, force: true }));

const msg = Buffer.from(
  "From: alice@a.test\r\nTo: bob@b.test\r\nSubject: old signer\r\nDate: Mon, 7 Dec 2026 10:00:00 +0000\r\n\r\nHi\r\n",
);

test("an rsa-sha1 signature dkimpy accepts is dkim=policy here, and DMARC does not pass on it", {
  skip,
}, async () => {
  const signOf = (algorithm: "rsa-sha1" | "rsa-sha256") => ({
    op: "sign" as const,
    msg,
    selector: rsa.selector,
    domain: "a.test",
    key: createPrivateKey(rsa.privateKeyPem).export({ type: "pkcs1", format: "pem" }).toString(),
    algorithm,
    canon: "relaxed/relaxed" as const,
    headers: ["from", "to", "subject", "date"],
  });
  const [sha1, sha256] = dkimpy(zone, [signOf("rsa-sha1"), signOf("rsa-sha256")]) as Buffer[];
  const signed1 = Buffer.concat([sha1!, msg]);
  const signed256 = Buffer.concat([sha256!, msg]);
  assert.deepEqual(
    dkimpy(zone, [{ op: "verify", msg: signed1 }])[0],
    [true],
    "dkimpy still accepts rsa-sha1",
  );

  const lookups: string[] = [];
  const verify = (m: Buffer) =>
    verifyDkim(m, parseHeader(m), ["alice@a.test"], {
      resolveTxt: async (n) => {
        lookups.push(n);
        return [[zone[n] ?? ""]];
      },
      minRsaBits: 1024,
      maxSignatures: 10,
      keys: new KeyCache(),
    });
  const [r] = await verify(signed1);
  assert.equal(r?.status.result, "policy");
  // header.b is quoted by the A-R formatter when it holds "/" (mailauth's escapePropValue).
  const b = r?.status.header?.b || "";
  assert.equal(
    r?.info,
    `dkim=policy (unsupported algorithm rsa-sha1) policy.dkim-rules=weak-algorithm header.i=@a.test header.s=${rsa.selector} header.a=rsa-sha1 header.b=${b.includes("/") ? `"${b}"` : b}`,
  );
  assert.deepEqual(lookups, [], "no key is fetched for a signature that cannot pass");
  assert.equal((await verify(signed256))[0]?.status.result, "pass", "the same key with rsa-sha256 passes");

  // From a host outside the SPF record: only DKIM could make DMARC pass, and rsa-sha1 does not.
  const v = await createInboundVerifier({
    resolver: fakeResolver(Object.fromEntries(Object.entries(zone).map(([n, t]) => [n, { TXT: [[t]] }]))),
    authservId: "mx.b.test",
    timeoutMs: 5000,
    minRsaBits: 1024,
    maxAuthorDomains: 5,
  }).verify({ body: signed1, ip: "127.0.0.9", helo: null, mailFrom: "alice@a.test" });
  assert.equal(v.dmarc?.result, "fail");
  assert.equal(v.dmarcPolicyAction, "reject");
});
