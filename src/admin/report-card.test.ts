import assert from "node:assert/strict";
import { test } from "node:test";
import type { ReportSummary } from "../store/types.js";
import { reportsCard } from "./report-card.js";

const summary = (kind: "dmarc" | "tlsrpt", total: number, failed: number): ReportSummary => ({
  id: 1,
  kind,
  domain: "example.test",
  org: "google.com",
  reportId: "r",
  begin: new Date(0),
  end: new Date(0),
  receivedAt: new Date(0),
  total,
  passed: total - failed,
  failed,
  dkimPass: 0,
  spfPass: 0,
  failureTypes: [],
});

test("the reports card: none yet, all passing, failures to look at", () => {
  assert.equal(reportsCard([]).state, "ok");
  assert.match(String(reportsCard([]).todo), /DNS page/);
  const fine = reportsCard([summary("dmarc", 10, 0), summary("tlsrpt", 5, 0)]);
  assert.equal(fine.state, "ok");
  assert.equal(fine.todo, undefined);
  const bad = reportsCard([summary("dmarc", 10, 3), summary("tlsrpt", 5, 2), summary("tlsrpt", 1, 0)]);
  assert.equal(bad.state, "warn");
  assert.match(
    String(bad.status),
    /1 DMARC report\(s\) on 10 message\(s\), 3 failing DMARC; 2 TLS-RPT report\(s\) on 6 session\(s\), 2 failed/,
  );
  assert.match(String(bad.todo), /\/admin\/reports/);
});
