// The ReportStore part of the store contract (received DMARC and TLS-RPT reports, issue 21), run
// by runStoreContract (contract.ts) against every backend.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type ContractHandle, rejectsWith, withStore } from "./contract-kit.js";
import type { DmarcAggregateReport, DmarcRecord, TlsRptReport } from "./types.js";

const day = 86_400_000;
const t0 = Date.parse("2030-03-01T00:00:00Z");

function record(
  sourceIp: string,
  count: number,
  dkim: string,
  spf: string,
  headerFrom = "example.com",
): DmarcRecord {
  return {
    sourceIp,
    count,
    disposition: dkim === "pass" || spf === "pass" ? "none" : "quarantine",
    dkim,
    spf,
    headerFrom,
    envelopeFrom: headerFrom,
    authDkim: [{ domain: headerFrom, selector: "s1", result: dkim }],
    authSpf: [{ domain: headerFrom, result: spf }],
  };
}

function dmarc(reportId: string, records: DmarcRecord[], opts: { domain?: string; endDay?: number } = {}) {
  const end = t0 + (opts.endDay ?? 1) * day;
  return {
    kind: "dmarc",
    org: "google.com",
    email: "noreply-dmarc-support@google.com",
    reportId,
    begin: new Date(end - day),
    end: new Date(end),
    policy: { domain: opts.domain ?? "example.com", adkim: "r", aspf: "r", p: "none", sp: null, pct: 100 },
    records,
  } satisfies DmarcAggregateReport;
}

const tlsrpt: TlsRptReport = {
  kind: "tlsrpt",
  org: "Google Inc.",
  contact: "smtp-tls-reporting@google.com",
  reportId: "2030-03-01T00:00:00Z_example.com",
  begin: new Date(t0),
  end: new Date(t0 + day),
  policies: [
    {
      type: "sts",
      strings: ["version: STSv1", "mode: testing"],
      domain: "example.com",
      mxHosts: ["mx.example.com"],
      successful: 90,
      failed: 7,
      failures: [
        {
          resultType: "certificate-expired",
          sendingMtaIp: "192.0.2.1",
          receivingMxHostname: "mx.example.com",
          receivingIp: "198.51.100.2",
          failedSessionCount: 5,
          additionalInformation: null,
          failureReasonCode: null,
        },
        {
          resultType: "starttls-not-supported",
          sendingMtaIp: "192.0.2.2",
          receivingMxHostname: "mx.example.com",
          receivingIp: null,
          failedSessionCount: 2,
          additionalInformation: null,
          failureReasonCode: "X",
        },
      ],
    },
  ],
};

export function runReportContract(open: () => Promise<ContractHandle>): void {
  describe("received reports", () => {
    test("a DMARC report is stored once per (kind, org, report id), with its totals and rows paged", () =>
      withStore(open, async (h) => {
        const r = dmarc("rep-1", [
          record("192.0.2.10", 40, "pass", "pass"),
          record("192.0.2.11", 3, "fail", "pass"),
          record("203.0.113.66", 7, "fail", "fail"),
        ]);
        const first = await h.store.reports.save(r, new Date(t0 + 2 * day));
        assert.equal(first.created, true);
        const again = await h.store.reports.save(r, new Date(t0 + 3 * day));
        assert.deepEqual(again, { id: first.id, created: false }, "mailed twice, stored once");
        const other = await h.store.reports.save({ ...r, org: "Yahoo" }, new Date(t0 + 2 * day));
        assert.equal(other.created, true, "another reporter's id is another report");

        const [s] = await h.store.reports.list({ domains: null, kind: "dmarc", limit: 1 });
        assert.ok(s);
        const store = await h.reopen();
        const got = await store.reports.get(first.id, { offset: 1, limit: 1 });
        assert.ok(got);
        assert.equal(got.rowCount, 3);
        assert.equal(got.summary.total, 50);
        assert.equal(got.summary.passed, 43);
        assert.equal(got.summary.failed, 7);
        assert.equal(got.summary.dkimPass, 40);
        assert.equal(got.summary.spfPass, 43);
        assert.equal(got.summary.domain, "example.com");
        assert.equal(got.summary.receivedAt.getTime(), t0 + 2 * day);
        assert.equal(got.report.kind, "dmarc");
        assert.deepEqual(got.report, { ...r, records: [r.records[1]] }, "the second row only");
        assert.equal(await store.reports.get(99999, { offset: 0, limit: 10 }), null);
      }));

    test("a TLS-RPT report keeps its policies, counts and failure details", () =>
      withStore(open, async ({ store }) => {
        const { id } = await store.reports.save(tlsrpt, new Date(t0 + day));
        const got = await store.reports.get(id, { offset: 0, limit: 100 });
        assert.ok(got);
        assert.deepEqual(got.report, tlsrpt);
        assert.equal(got.rowCount, 2);
        assert.deepEqual(
          { total: got.summary.total, passed: got.summary.passed, failed: got.summary.failed },
          { total: 97, passed: 90, failed: 7 },
        );
        assert.deepEqual(got.summary.failureTypes, ["certificate-expired", "starttls-not-supported"]);
        const page = await store.reports.get(id, { offset: 1, limit: 1 });
        assert.deepEqual(
          page?.report.kind === "tlsrpt" && page.report.policies[0]?.failures.map((f) => f.resultType),
          ["starttls-not-supported"],
        );
      }));

    test("lists filter by domain, kind and period, newest first; sources add up across reports; old ones expire", () =>
      withStore(open, async ({ store }) => {
        const r = store.reports;
        await r.save(dmarc("a", [record("192.0.2.10", 10, "pass", "fail")], { endDay: 1 }), new Date(t0));
        await r.save(
          dmarc("b", [record("192.0.2.10", 5, "fail", "fail"), record("198.51.100.9", 1, "fail", "fail")], {
            endDay: 3,
          }),
          new Date(t0),
        );
        await r.save(
          dmarc("c", [record("192.0.2.10", 100, "pass", "pass")], { domain: "other.test", endDay: 2 }),
          new Date(t0),
        );
        await r.save(tlsrpt, new Date(t0));
        assert.deepEqual(
          (await r.list({ domains: null, limit: 10 })).map((s) => s.reportId),
          ["b", "c", tlsrpt.reportId, "a"],
          "newest period first (a and the TLS report end the same day: the later saved first)",
        );
        assert.deepEqual(
          (await r.list({ domains: ["EXAMPLE.com"], kind: "dmarc", limit: 10 })).map((s) => s.reportId),
          ["b", "a"],
        );
        assert.deepEqual((await r.list({ domains: [], limit: 10 })).length, 0, "no domains, nothing");
        assert.deepEqual(
          (await r.list({ domains: null, since: new Date(t0 + 2 * day), limit: 10 })).map((s) => s.reportId),
          ["b", "c"],
        );
        assert.deepEqual(
          (await r.list({ domains: null, limit: 2, offset: 1 })).map((s) => s.reportId),
          ["c", tlsrpt.reportId],
        );
        assert.deepEqual(await r.dmarcSources({ domains: ["example.com"], since: new Date(t0), limit: 10 }), [
          {
            sourceIp: "192.0.2.10",
            headerFrom: "example.com",
            messages: 15,
            passed: 10,
            failed: 5,
            reports: 2,
          },
          {
            sourceIp: "198.51.100.9",
            headerFrom: "example.com",
            messages: 1,
            passed: 0,
            failed: 1,
            reports: 1,
          },
        ]);
        assert.equal(await r.deleteEndedBefore(new Date(t0 + 2 * day)), 2, "a and the TLS report");
        assert.deepEqual(
          (await r.list({ domains: null, limit: 10 })).map((s) => s.reportId),
          ["b", "c"],
        );
        await rejectsWith(r.list({ domains: null, limit: -1 }), "invalid");
      }));
  });
}
