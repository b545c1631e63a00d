// The report filter on its own: which recipients are report addresses, what it queues, and when
// keepMessages = false drops the message after queueing its reports.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { silentLogger } from "../../log/logger.js";
import type { FilterInput, Recipient } from "../../postoffice/types.js";
import type { ReportPayload } from "./extract.js";
import { reportFilter } from "./filter.js";
import { googleZipMessage, tlsRptMessage } from "./test-fixtures.js";

const D = "example.test";
const hosted = new Set([D]);
const directory = {
  getDomain: async (d: string) => (hosted.has(d) ? { name: d, createdAt: new Date(0) } : null),
};

function setup(o: { keepMessages?: boolean; reportAddress?: string; full?: boolean } = {}) {
  const queued: ReportPayload[] = [];
  const filter = reportFilter({
    recorder: {
      enqueue: (p) => {
        if (o.full) return false;
        queued.push(p);
        return true;
      },
    },
    directory,
    log: silentLogger,
    reportAddress: o.reportAddress ?? "",
    maxAttachmentBytes: 1 << 20,
    keepMessages: o.keepMessages ?? true,
  });
  return { filter, queued };
}

const rcpt = (address: string): Recipient => ({ address, accountIds: [1], remote: [] });
function input(body: Buffer, to: string[]): FilterInput {
  return {
    door: "inbound",
    id: "m1",
    mailFrom: "r@reporter.test",
    recipients: to.map(rcpt),
    body,
    accountIds: [1],
    accountId: null,
    origin: { ip: "192.0.2.1", helo: "mx.reporter.test" } as FilterInput["origin"],
    screen: null,
    auth: null,
  };
}

describe("report filter", () => {
  test("postmaster@ a hosted domain is a report address; others and unhosted domains are not", async () => {
    const { filter, queued } = setup();
    const m = googleZipMessage(D, `postmaster@${D}`);
    assert.deepEqual(await filter.check(input(m, [`carol@${D}`])), { kind: "accept" });
    assert.deepEqual(await filter.check(input(m, ["postmaster@elsewhere.test"])), { kind: "accept" });
    assert.equal(queued.length, 0);
    assert.deepEqual(await filter.check(input(m, [`carol@${D}`, `PostMaster@${D}`])), {
      kind: "accept",
      note: "dmarc",
    });
    assert.equal(queued.length, 1);
    assert.equal(queued[0]?.packing, "zip");
  });

  test("the configured report address counts, case-insensitively", async () => {
    const { filter, queued } = setup({ reportAddress: `DMARC-Reports@${D}` });
    assert.equal((await filter.check(input(tlsRptMessage(D, "x"), [`dmarc-reports@${D}`]))).kind, "accept");
    assert.deepEqual(
      queued.map((p) => p.kind),
      ["tlsrpt"],
    );
  });

  test("keepMessages = false: discarded when every recipient is a report address and the report was queued", async () => {
    const m = googleZipMessage(D, `postmaster@${D}`);
    assert.equal(
      (await setup({ keepMessages: false }).filter.check(input(m, [`postmaster@${D}`]))).kind,
      "discard",
    );
    assert.equal(
      (await setup({ keepMessages: false }).filter.check(input(m, [`postmaster@${D}`, `carol@${D}`]))).kind,
      "accept",
      "carol still gets it",
    );
    assert.equal(
      (await setup({ keepMessages: false, full: true }).filter.check(input(m, [`postmaster@${D}`]))).kind,
      "accept",
      "not queued (queue full): filed",
    );
  });
});
