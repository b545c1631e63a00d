// DMARC on hostile records and names: the tag parser linear in the record's size (many tags, one
// long value, many "=" and ";"), alignment linear in the From domain's length, and at most two
// TXT lookups per author domain however many records a name answers with.
import assert from "node:assert/strict";
import { test } from "node:test";
import { assertLinear } from "../testing/complexity.js";
import { alignedEntry, evaluateDmarc } from "./dmarc.js";
import { parseDmarcTags } from "./dmarc-record.js";
import { fakeResolver } from "./fake-dns.js";
import { asciiDomain, organizationalDomain } from "./org-domain.js";

test("a record of many tags, one long value, runs of = and ;", () => {
  assertLinear(
    "dmarc tags",
    (n) => [
      `v=DMARC1; ${"p=reject; x=y; ".repeat(n)}`,
      `v=DMARC1; rua=${"m".repeat(n * 10)}`,
      `v=DMARC1; ${"==;;".repeat(n)}`,
      `v=DMARC1; ${"p ".repeat(n)}`,
    ],
    (records) => records.map((r) => parseDmarcTags(r)),
    { n: 5_000 },
  );
});

test("alignment of a long From domain with long signing domains", () => {
  assertLinear(
    "dmarc alignment",
    (n) => {
      const from = `${"a.".repeat(n)}example.com`;
      return {
        from,
        entries: [{ domain: `${"b.".repeat(n)}example.com` }, { domain: `x${"\u00e9".repeat(n)}.test` }],
      };
    },
    ({ from, entries }) => {
      const d = asciiDomain(from);
      return [alignedEntry(d, organizationalDomain(d), entries, false), alignedEntry(d, null, entries, true)];
    },
    { n: 2_000 },
  );
});

test("at most two TXT lookups, whatever a name answers", async () => {
  const rows = Array.from({ length: 2_000 }, (_, i) => [`v=DMARC1; p=reject; x=${i}`]);
  const resolver = fakeResolver({
    "_dmarc.example.com": { TXT: rows },
    "_dmarc.a.b.c.d.e.f.example.com": { TXT: [["v=spf1 -all"]] },
  });
  const r = await evaluateDmarc({
    headerFrom: "x@a.b.c.d.e.f.example.com",
    spfDomains: [],
    dkimDomains: [],
    resolveTxt: (n) => resolver.resolveTxt(n),
  });
  // 2,000 DMARC records at the organizational domain: more than one is no policy (RFC 7489 6.6.3).
  assert.ok(r);
  assert.equal(r.status.result, "none");
  assert.deepEqual(resolver.queries, ["TXT _dmarc.a.b.c.d.e.f.example.com", "TXT _dmarc.example.com"]);
});
