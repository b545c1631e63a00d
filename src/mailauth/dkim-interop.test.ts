// Our DKIM signer and verifier against dkimpy, an independent implementation, and our
// Authentication-Results against mailauth's authenticate(), on varied messages: 8-bit and raw
// UTF-8 fields, folded fields, trailing whitespace, empty lines at the end, long lines, both
// canonicalizations, rsa-sha256 and ed25519-sha256. Every message ends with CRLF, as any message
// that came over SMTP does.
import assert from "node:assert/strict";
import { createPrivateKey } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { authenticate } from "mailauth";
import { cpuTimed } from "../testing/cpu-time.js";
import { authenticateMessage } from "./authenticate.js";
import { parseHeader } from "./dkim-canon.js";
import { KeyCache, verifyDkim } from "./dkim-verify.js";
import { dkimpy, dkimpySkip } from "./dkimpy.js";
import { type FakeZone, fakeResolver } from "./fake-dns.js";
import { algorithmsOf, type DkimKey, generateDkimKeys } from "./keys.js";
import { createDkimSigner } from "./sign.js";

const skip = dkimpySkip();
let dataDir = "";
let keys: DkimKey[] = [];
let zone: Record<string, string> = {};
before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "yubin-dkim-interop-"));
  keys = await generateDkimKeys(dataDir, "a.test", {
    algorithms: algorithmsOf("ed25519+rsa"),
    rsaBits: 2048,
  });
  zone = {};
  for (const k of keys)
    zone[`${k.selector}._domainkey.a.test`] =
      `v=DKIM1; k=${k.algorithm === "rsa-sha256" ? "rsa" : "ed25519"}; p=${k.publicKeyBase64}`;
  zone["a.test"] = "v=spf1 ip4:127.0.0.1 -all";
  zone["_dmarc.a.test"] = "v=DMARC1; p=reject";
});
after(() => rm(dataDir, { recursive: true, force: true }));

const fakeZone = (): FakeZone =>
  Object.fromEntries(Object.entries(zone).map(([n, v]) => [n, { TXT: [[v]] }]));
const L = (s: string) => Buffer.from(s, "latin1");

// A raw UTF-8 Subject (RFC 6532) whose "à" (C3 A0) and Cyrillic "Р" (D0 A0) hold byte 0xA0,
// which mailauth 4.13.3 took for whitespace: its signature of this message failed at dkimpy.
const UTF8_SUBJECT = L(
  "From: Alice <alice@a.test>\r\nTo: bob@b.test\r\nSubject: voil\xc3\xa0 \xd0\xa0\xd0\xbe\xd0\xbc\xd0\xb0\r\n" +
    "Date: Mon, 7 Dec 2026 10:00:00 +0000\r\nMessage-ID: <u1@a.test>\r\n\r\nHello\r\n",
);

/** Deterministic varied messages (a fixed LCG, so a failure names the same message every run). */
function corpus(n: number): Buffer[] {
  let seed = 7;
  const rnd = (k: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % k;
  };
  const word = () => "abcdefghijklmnop".slice(0, 1 + rnd(12));
  const line = () =>
    [
      "",
      `  ${word()} \t `,
      Array.from({ length: 40 + rnd(120) }, word).join(" "),
      "caf\xe9 \xff\xa0 na\xefve\xa0",
      `\t${word()}\t\t${word()}`,
      ".",
      `${word()}  ${word()} \t${word()}`,
    ][rnd(7)]!;
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const h = [
      `From: ${["Alice <alice@a.test>", "alice@a.test", '"A, B" <ab@a.test>'][rnd(3)]}`,
      `To: bob${i}@b.test`,
    ];
    const subject = rnd(4);
    if (subject === 0) h.push(`Subject: voil\xc3\xa0 \xd0\xa0 ${i}`);
    else if (subject === 1) h.push(`Subject: folded ${i}\r\n\t${word()}  ${word()}`);
    else h.push(`Subject: s ${i} ${word()}   `);
    h.push("Date: Mon, 7 Dec 2026 10:00:00 +0000", `Message-ID: <m${i}@a.test>`);
    if (rnd(2)) h.push("MIME-Version: 1.0", 'Content-Type: text/plain;\r\n charset="utf-8"');
    if (rnd(4) === 0) h.push(`Cc:   carol@c.test  \t`);
    const lines = Array.from({ length: rnd(40) }, line);
    const tail = ["", "\r\n", "\r\n\r\n\r\n", " \r\n\t\r\n"][rnd(4)]!;
    out.push(L(`${h.join("\r\n")}\r\n\r\n${lines.map((l) => `${l}\r\n`).join("")}${tail}`));
  }
  return out;
}

describe("DKIM against dkimpy", { skip }, () => {
  test("our signature of a raw UTF-8 Subject holding byte 0xA0 verifies at dkimpy", async () => {
    const signed = await createDkimSigner({ dataDir, algorithms: algorithmsOf("ed25519+rsa") }).sign(
      UTF8_SUBJECT,
    );
    assert.deepEqual(dkimpy(zone, [{ op: "verify", msg: signed }])[0], [true, true]);
  });

  test("dkimpy's signature of that message passes our inbound check (and DMARC with it)", async () => {
    const rsa = keys.find((k) => k.algorithm === "rsa-sha256")!;
    const [sig] = dkimpy(zone, [
      {
        op: "sign",
        msg: UTF8_SUBJECT,
        selector: rsa.selector,
        domain: "a.test",
        key: createPrivateKey(rsa.privateKeyPem).export({ type: "pkcs1", format: "pem" }).toString(),
        algorithm: "rsa-sha256",
        canon: "relaxed/relaxed",
        headers: ["from", "to", "subject", "date", "message-id"],
      },
    ]);
    assert.ok(Buffer.isBuffer(sig), String(sig));
    const { createInboundVerifier } = await import("./verify.js");
    const v = await createInboundVerifier({
      resolver: fakeResolver(fakeZone()),
      authservId: "mx.b.test",
      timeoutMs: 5000,
      minRsaBits: 1024,
      maxAuthorDomains: 5,
    }).verify({
      body: Buffer.concat([sig, UTF8_SUBJECT]),
      ip: "127.0.0.9",
      helo: null,
      mailFrom: "x@elsewhere.test",
    });
    assert.deepEqual(
      v.dkim.map((d) => d.result),
      ["pass"],
    );
    assert.equal(v.dmarc?.result, "pass");
    assert.equal(v.dmarcPolicyAction, "none");
  });

  test("a corpus signed by us verifies at dkimpy; one signed by dkimpy verifies here", async () => {
    const msgs = corpus(240);
    const signer = createDkimSigner({ dataDir, algorithms: algorithmsOf("ed25519+rsa") });
    const ours = await Promise.all(msgs.map((m) => signer.sign(m)));
    const verdicts = dkimpy(
      zone,
      ours.map((msg) => ({ op: "verify" as const, msg })),
    );
    for (const [i, v] of verdicts.entries())
      assert.deepEqual(v, [true, true], `message ${i} at dkimpy: ${String(v)}`);

    const rsa = keys.find((k) => k.algorithm === "rsa-sha256")!;
    const ed = keys.find((k) => k.algorithm === "ed25519-sha256")!;
    const canons = ["relaxed/relaxed", "simple/simple", "relaxed/simple", "simple/relaxed"] as const;
    const edSeed = createPrivateKey(ed.privateKeyPem)
      .export({ type: "pkcs8", format: "der" })
      .subarray(16)
      .toString("base64");
    const rsaPem = createPrivateKey(rsa.privateKeyPem).export({ type: "pkcs1", format: "pem" }).toString();
    const sigs = dkimpy(
      zone,
      msgs.map((msg, i) => ({
        op: "sign" as const,
        msg,
        selector: i % 2 ? ed.selector : rsa.selector,
        domain: "a.test",
        key: i % 2 ? edSeed : rsaPem,
        algorithm: i % 2 ? ("ed25519-sha256" as const) : ("rsa-sha256" as const),
        canon: canons[i % 4]!,
        headers: ["from", "to", "subject", "date", "message-id", "cc", "content-type"],
      })),
    );
    const cache = new KeyCache();
    const resolveTxt = async (n: string) => [[zone[n] ?? ""]];
    for (const [i, sig] of sigs.entries()) {
      assert.ok(Buffer.isBuffer(sig), `dkimpy could not sign message ${i}: ${String(sig)}`);
      const m = Buffer.concat([sig, msgs[i]!]);
      const r = await verifyDkim(m, parseHeader(m), ["alice@a.test"], {
        resolveTxt,
        minRsaBits: 1024,
        maxSignatures: 10,
        keys: cache,
      });
      assert.equal(r[0]?.status.result, "pass", `message ${i} (${canons[i % 4]}): ${r[0]?.info}`);
      // One changed body octet must fail (a neutral body hash mismatch, as mailauth reports it).
      const bad = Buffer.concat([m, L("x\r\n")]);
      const rb = await verifyDkim(bad, parseHeader(bad), [], {
        resolveTxt,
        minRsaBits: 1024,
        maxSignatures: 10,
        keys: cache,
      });
      assert.notEqual(rb[0]?.status.result, "pass", `tampered message ${i}`);
    }
  });
});

describe("verifier rules beyond mailauth's", () => {
  test("a signature whose h= does not cover From does not pass (RFC 6376 6.1.1)", async () => {
    const rsa = keys.find((k) => k.algorithm === "rsa-sha256")!;
    const msg = L("To: bob@b.test\r\nSubject: no author\r\n\r\nhi\r\n");
    const { dkimSignatures, privateKeyOf } = await import("./dkim-sign.js");
    const sig = await dkimSignatures(
      msg,
      [
        {
          domain: "a.test",
          selector: rsa.selector,
          algorithm: "rsa-sha256",
          privateKey: privateKeyOf(rsa.privateKeyPem),
        },
      ],
      new Date(),
    );
    const withFrom = Buffer.concat([L(sig), L("From: alice@a.test\r\n"), msg]);
    const r = await verifyDkim(withFrom, parseHeader(withFrom), ["alice@a.test"], {
      resolveTxt: async (n) => [[zone[n] ?? ""]],
      minRsaBits: 1024,
      maxSignatures: 10,
      keys: new KeyCache(),
    });
    assert.equal(r[0]?.status.result, "neutral");
    // header.b is the signature's first 8 characters; the A-R formatter (mailauth's
    // escapePropValue) quotes a value holding "/", as one signature in eight does.
    const b = r[0]?.status.header?.b || "";
    assert.equal(
      r[0]?.info,
      `dkim=neutral (From field not signed) header.i=@a.test header.s=${rsa.selector} header.a=rsa-sha256 header.b=${b.includes("/") ? `"${b}"` : b}`,
    );
  });
});

describe("Authentication-Results as mailauth wrote them", () => {
  test("the same field as mailauth's authenticate() for messages it reads right", async () => {
    const signer = createDkimSigner({ dataDir, algorithms: algorithmsOf("ed25519+rsa") });
    const base = corpus(30).filter((m) => !m.includes(0xa0) || m.indexOf(0xa0) > parseHeader(m).bodyStart);
    const cases: { body: Buffer; ip: string; sender: string }[] = [];
    for (const [i, m] of base.entries()) {
      const signed = await signer.sign(m);
      const body = i % 5 === 3 ? Buffer.concat([signed, L("changed\r\n")]) : i % 5 === 4 ? m : signed;
      cases.push({ body, ip: i % 3 ? "127.0.0.1" : "127.0.0.9", sender: i % 2 ? "alice@a.test" : "" });
    }
    const resolver = fakeResolver(fakeZone());
    const resolve = (n: string, t: string) => resolver.resolve(n, t) as Promise<string[]>;
    const keys = new KeyCache();
    for (const c of cases) {
      const theirs = await authenticate(c.body, {
        ip: c.ip,
        helo: "mail.a.test",
        sender: c.sender,
        mta: "mx.b.test",
        resolver: resolve,
        minBitLength: 1024,
        disableBimi: true,
      });
      const ours = await authenticateMessage(c.body, {
        ip: c.ip,
        helo: "mail.a.test",
        sender: c.sender,
        mta: "mx.b.test",
        resolver: resolve,
        minBitLength: 1024,
        maxSignatures: 10,
        keys,
      });
      assert.equal(ours.headers, theirs.headers);
    }
  });

  test("only maxSignatures DKIM-Signature fields are looked at, and a huge header stays linear", async () => {
    const one = (await createDkimSigner({ dataDir, algorithms: algorithmsOf("rsa") }).sign(UTF8_SUBJECT))
      .toString("latin1")
      .split(/\r\n(?=From:)/)[0]!;
    const sigs = `${one.replace(/s=[^;]+;/, "s=nokey;")}\r\n`.repeat(200);
    const long = `X-Long: ${"a ".repeat(200_000)}\r\n`;
    const body = Buffer.concat([L(sigs + long), UTF8_SUBJECT]);
    const resolver = fakeResolver(fakeZone());
    // In CPU time: a loaded CI machine inflates wall-clock time, not work.
    const { value: res, cpuMs } = await cpuTimed(() =>
      authenticateMessage(body, {
        ip: "127.0.0.1",
        helo: "mail.a.test",
        sender: "alice@a.test",
        mta: "mx.b.test",
        resolver: (n, t) => resolver.resolve(n, t) as Promise<string[]>,
        minBitLength: 1024,
        maxSignatures: 10,
        keys: new KeyCache(),
      }),
    );
    assert.equal(res.dkim.results.length, 10);
    assert.equal(resolver.queries.filter((q) => q.includes("_domainkey")).length, 10);
    assert.ok(cpuMs < 2000, `bounded work: ${cpuMs} ms of CPU`);
  });
});
