// The ReportSendingStore part of the store contract (TLS-RPT and DMARC aggregate counts for the
// reports we send, src/reports/outbound), run by runStoreContract (contract.ts) against every
// backend.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type ContractHandle, rejectsWith, withStore } from "./contract-kit.js";
import type { DmarcRecordCount, TlsResultCount } from "./types.js";

const tls = (over: Partial<TlsResultCount> = {}): TlsResultCount => ({
  day: "2030-01-01",
  policyDomain: "example.com",
  policyType: "sts",
  policyStrings: ["version: STSv1", "mode: enforce"],
  mxHosts: ["mx.example.com"],
  result: "success",
  sendingIp: "192.0.2.1",
  receivingMx: "mx.example.com",
  receivingIp: "198.51.100.7",
  detail: "",
  count: 1,
  ...over,
});

const dmarc = (over: Partial<DmarcRecordCount> = {}): DmarcRecordCount => ({
  day: "2030-01-01",
  headerFrom: "example.org",
  sourceIp: "203.0.113.5",
  envelopeFrom: "example.org",
  disposition: "none",
  dkim: "pass",
  spf: "pass",
  dkimResults: [{ domain: "example.org", result: "pass" }],
  spfDomain: "example.org",
  spfResult: "pass",
  count: 1,
  ...over,
});

export function runReportSendingContract(open: () => Promise<ContractHandle>): void {
  describe("report sending", () => {
    test("TLS results with the same key add up, per day; the first failure detail stays; they survive a reopen", () =>
      withStore(open, async (h) => {
        const r = h.store.reportSending;
        await r.addTlsResults([tls(), tls({ count: 2 }), tls({ day: "2030-01-02" })]);
        await r.addTlsResults([
          tls({ result: "certificate-expired", detail: "first", count: 1 }),
          tls({ result: "certificate-expired", detail: "second", count: 4 }),
          tls({ policyDomain: "Other.TEST", policyType: "no-policy-found", policyStrings: [], mxHosts: [] }),
        ]);
        const again = await h.reopen();
        const day1 = await again.reportSending.tlsResults("2030-01-01");
        assert.deepEqual(
          day1.map((x) => [x.policyDomain, x.result, x.count, x.detail]),
          [
            ["example.com", "certificate-expired", 5, "first"],
            ["example.com", "success", 3, ""],
            ["other.test", "success", 1, ""],
          ],
        );
        assert.deepEqual(day1[1], tls({ count: 3 }));
        assert.equal((await again.reportSending.tlsResults("2030-01-02"))[0]?.count, 1);
        assert.deepEqual(await again.reportSending.tlsResults("2030-01-03"), []);
      }));

    test("a changed policy during the day is another row", () =>
      withStore(open, async ({ store }) => {
        await store.reportSending.addTlsResults([
          tls(),
          tls({ policyStrings: ["version: STSv1", "mode: testing"] }),
        ]);
        assert.equal((await store.reportSending.tlsResults("2030-01-01")).length, 2);
      }));

    test("DMARC records add up by their key", () =>
      withStore(open, async ({ store }) => {
        const r = store.reportSending;
        await r.addDmarcRecords([dmarc(), dmarc({ count: 2 }), dmarc({ dkim: "fail", dkimResults: [] })]);
        const rows = await r.dmarcRecords("2030-01-01");
        assert.deepEqual(
          rows.map((x) => [x.dkim, x.count]),
          [
            ["fail", 1],
            ["pass", 3],
          ],
        );
        assert.deepEqual(rows[1], dmarc({ count: 3 }));
      }));

    test("one report per kind, domain and day; the day's count; sweep forgets older days", () =>
      withStore(open, async ({ store }) => {
        const r = store.reportSending;
        const at = new Date("2030-01-02T01:00:00Z");
        const sent = (domain: string, day = "2030-01-01", kind: "tlsrpt" | "dmarc" = "tlsrpt") =>
          r.markSent({ kind, domain, day, reportId: `${domain}-${day}`, at });
        assert.equal(await sent("example.com"), true);
        assert.equal(await sent("EXAMPLE.com"), false, "the same domain, whatever its case");
        assert.equal(await sent("example.com", "2030-01-01", "dmarc"), true, "another kind");
        assert.equal(await sent("other.test"), true);
        assert.equal(await r.sentCount("tlsrpt", "2030-01-01"), 2);
        assert.equal(await r.sentCount("dmarc", "2030-01-01"), 1);
        await r.addTlsResults([tls(), tls({ day: "2030-01-02" })]);
        await r.addDmarcRecords([dmarc()]);
        assert.equal(await r.sweep("2030-01-02"), 5);
        assert.equal(await r.sentCount("tlsrpt", "2030-01-01"), 0);
        assert.equal((await r.tlsResults("2030-01-02")).length, 1);
      }));

    test("bad days and counts are refused", () =>
      withStore(open, async ({ store }) => {
        const r = store.reportSending;
        await rejectsWith(r.addTlsResults([tls({ day: "yesterday" })]), "invalid");
        await rejectsWith(r.addTlsResults([tls({ count: 0 })]), "invalid");
        await rejectsWith(r.addDmarcRecords([dmarc({ count: 1.5 })]), "invalid");
        await rejectsWith(r.tlsResults("2030-1-1"), "invalid");
      }));
  });
}
