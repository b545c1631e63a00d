import assert from "node:assert/strict";
import { test } from "node:test";
import { parseDmarcRecord } from "./dmarc-policy.js";

test("RFC 7489 6.3: tags, defaults, rua with !size", () => {
  assert.deepEqual(
    parseDmarcRecord(
      "v=DMARC1; p=quarantine; rua=mailto:agg@example.org!10m, mailto:b%2Bx@other.test,https://x; pct=50; aspf=s",
      "example.org",
    ),
    {
      domain: "example.org",
      adkim: "r",
      aspf: "s",
      p: "quarantine",
      sp: "quarantine",
      pct: 50,
      rua: [
        { address: "agg@example.org", maxBytes: 10 * 1024 * 1024 },
        { address: "b+x@other.test", maxBytes: null },
      ],
    },
  );
  assert.equal(parseDmarcRecord("v=spf1 -all", "x.test"), null);
  assert.equal(parseDmarcRecord("v=DMARC1; p=bogus", "x.test"), null);
  assert.deepEqual(parseDmarcRecord("v=DMARC1; p=none", "x.test")?.rua, []);
});
