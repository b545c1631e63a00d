// DMARC with several author addresses (RFC 7489 §6.6.1; issue 18 finding 6): every author
// domain is evaluated and the strictest outcome applies; each result is recorded.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { authorDomains, authorFields } from "./authors.js";
import { type FakeZone, fakeResolver } from "./fake-dns.js";
import { createInboundVerifier } from "./verify.js";

// a.test: p=reject, SPF allows 127.0.0.1 only. quiet.test: p=quarantine. elsewhere.test: no DMARC.
const zone: FakeZone = {
  "a.test": { TXT: [["v=spf1 ip4:127.0.0.1 -all"]] },
  "_dmarc.a.test": { TXT: [["v=DMARC1; p=reject"]] },
  "_dmarc.quiet.test": { TXT: [["v=DMARC1; p=quarantine"]] },
  "elsewhere.test": { TXT: [["v=spf1 +all"]] },
};

const message = (fromFields: string[]) =>
  Buffer.from(
    `${fromFields.map((f) => `From: ${f}\r\n`).join("")}To: bob@b.test\r\nSubject: pay\r\nMessage-ID: <1@x.test>\r\n\r\nPay now.\r\n`,
  );

function verify(from: string, opts: { ip?: string; mailFrom?: string; max?: number } = {}) {
  const resolver = fakeResolver(zone);
  const body = message([from]);
  const v = createInboundVerifier({
    resolver,
    authservId: "mx.b.test",
    timeoutMs: 5000,
    minRsaBits: 1024,
    maxAuthorDomains: opts.max ?? 5,
    random: () => 0,
  }).verify({
    body,
    ip: opts.ip ?? "127.0.0.9",
    helo: null,
    mailFrom: opts.mailFrom ?? "x@elsewhere.test",
    authors: authorFields(body).addresses,
  });
  return v.then((verdict) => ({ verdict, queries: resolver.queries }));
}

describe("authors of a message", () => {
  test("From fields are counted and their mailboxes listed", () => {
    assert.deepEqual(authorFields(message(["x@elsewhere.test", "Alice <alice@a.test>"])), {
      fields: 2,
      addresses: ["x@elsewhere.test", "alice@a.test"],
    });
    assert.deepEqual(authorFields(message(["undisclosed:;"])), { fields: 1, addresses: [] });
    assert.deepEqual(authorFields(Buffer.from("Subject: x\r\n\r\n")), { fields: 0, addresses: [] });
    assert.deepEqual(authorDomains(["a@A.test", "b@a.test.", "c@elsewhere.test", "nodomain"]), [
      "a.test",
      "elsewhere.test",
    ]);
  });

  test("one From with x@elsewhere and alice@a.test (p=reject, not aligned): reject, both recorded", async () => {
    const { verdict } = await verify("x@elsewhere.test, Alice <alice@a.test>");
    assert.equal(verdict.dmarcPolicyAction, "reject");
    assert.deepEqual(verdict.dmarc, { result: "fail", domain: "a.test", policy: "reject" });
    assert.equal(verdict.authorDomains, 2);
    assert.match(verdict.authResultsHeader, /;\r\n dmarc=none header\.from=elsewhere\.test/);
    assert.match(
      verdict.authResultsHeader,
      /;\r\n dmarc=fail \(p=REJECT arc=none\) header\.from=a\.test header\.d=a\.test\r\n$/,
    );
  });

  test("the author order does not matter, and the strictest of reject and quarantine wins", async () => {
    const { verdict } = await verify("alice@a.test, z@quiet.test");
    assert.equal(verdict.dmarcPolicyAction, "reject");
    const quiet = await verify("z@quiet.test, x@elsewhere.test");
    assert.equal(quiet.verdict.dmarcPolicyAction, "quarantine");
  });

  test("when every author domain passes or has no policy, nothing is enforced", async () => {
    // SPF passes for a.test from 127.0.0.1 and aligns with the From domain a.test.
    const { verdict } = await verify("alice@a.test, x@elsewhere.test", {
      ip: "127.0.0.1",
      mailFrom: "alice@a.test",
    });
    assert.equal(verdict.dmarcPolicyAction, "none");
    assert.match(verdict.authResultsHeader, / dmarc=pass \(p=REJECT arc=none\) header\.from=a\.test/);
  });

  test("a single author keeps mailauth's own result, recorded once", async () => {
    const { verdict } = await verify("Alice <alice@a.test>");
    assert.equal(verdict.dmarcPolicyAction, "reject");
    assert.equal(verdict.authResultsHeader.match(/dmarc=/g)?.length, 1);
  });

  test("more author domains than maxAuthorDomains: counted, none looked up", async () => {
    const from = Array.from({ length: 4 }, (_, i) => `u@d${i}.test`).join(", ");
    const { verdict, queries } = await verify(from, { max: 3 });
    assert.equal(verdict.authorDomains, 4);
    assert.equal(verdict.dmarcPolicyAction, "none");
    assert.deepEqual(
      queries.filter((q) => q.includes("_dmarc")),
      [],
    );
  });
});
