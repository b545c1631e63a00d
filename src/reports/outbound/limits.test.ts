// The rate limits of the reports we send, without a network: at most maxRuaPerDomain addresses
// per report, at most dmarcMaxReportsPerDay DMARC reports a day, one report per domain per day.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { DnsResolver } from "../../dns/types.js";
import { silentLogger } from "../../log/logger.js";
import type { SystemMail } from "../../postoffice/post-office.js";
import type { DmarcRecordCount, ReportSendingStore, TlsResultCount } from "../../store/types.js";
import { sendDmarcReports } from "./dmarc-send.js";
import { ReportSender, type SendEnv } from "./sender.js";

function resolver(txt: Record<string, string>): DnsResolver {
  const none = () => Promise.reject(Object.assign(new Error("ENOTFOUND"), { code: "ENOTFOUND" }));
  return {
    resolveTxt: (name) => (txt[name] !== undefined ? Promise.resolve([[txt[name]]]) : none()),
    resolveMx: none,
    resolve4: none,
    resolve6: none,
    resolveCname: none,
    resolveSrv: none,
    resolvePtr: none,
    resolve: none,
  };
}

function memoryStore(tls: TlsResultCount[], dmarc: DmarcRecordCount[]): ReportSendingStore {
  const sent = new Map<string, string>();
  return {
    addTlsResults: async () => {},
    tlsResults: async (day) => tls.filter((r) => r.day === day),
    addDmarcRecords: async () => {},
    dmarcRecords: async (day) => dmarc.filter((r) => r.day === day),
    async markSent({ kind, domain, day, reportId }) {
      const k = `${kind} ${domain} ${day}`;
      if (sent.has(k)) return false;
      sent.set(k, reportId);
      return true;
    },
    sentCount: async (kind, day) =>
      [...sent.keys()].filter((k) => k.startsWith(`${kind} `) && k.endsWith(` ${day}`)).length,
    sweep: async () => 0,
  };
}

const day = "2030-01-01";
const env: SendEnv = {
  organization: "us",
  submitter: "mail.us.test",
  contact: "postmaster@us.test",
  now: new Date("2030-01-02T12:00:00Z"),
};
const dmarcRow = (headerFrom: string): DmarcRecordCount => ({
  day,
  headerFrom,
  sourceIp: "192.0.2.1",
  envelopeFrom: headerFrom,
  disposition: "none",
  dkim: "pass",
  spf: "pass",
  dkimResults: [],
  spfDomain: headerFrom,
  spfResult: "pass",
  count: 1,
});

test("DMARC: at most maxReportsPerDay reports a day, each to at most maxRuaPerDomain addresses", async () => {
  const mails: SystemMail[] = [];
  const txt: Record<string, string> = {};
  for (const d of ["a.test", "b.test", "c.test"])
    txt[`_dmarc.${d}`] = `v=DMARC1; p=none; rua=mailto:r1@${d},mailto:r2@${d},mailto:r3@${d}`;
  const deps = {
    store: memoryStore([], ["a.test", "b.test", "c.test"].map(dmarcRow)),
    resolver: resolver(txt),
    log: silentLogger,
    postOffice: {
      postSystem: async (m: SystemMail) => {
        mails.push(m);
        return { id: "x", local: 0, remote: 1, discarded: false, verdicts: [] };
      },
    },
    maxRuaPerDomain: 2,
    maxReportsPerDay: 2,
  };
  assert.equal(await sendDmarcReports(deps, day, env), 2);
  assert.deepEqual(
    mails.map((m) => m.to),
    ["r1@a.test", "r2@a.test", "r1@b.test", "r2@b.test"],
  );
  assert.ok(mails.every((m) => m.notify?.[0] === "NEVER" && m.accountId === null));
  assert.equal(await sendDmarcReports(deps, day, env), 0, "the day's limit stays reached");
});

test("TLS-RPT: one report per domain per day, to at most maxRuaPerDomain addresses", async () => {
  const mails: SystemMail[] = [];
  const row: TlsResultCount = {
    day,
    policyDomain: "x.test",
    policyType: "no-policy-found",
    policyStrings: [],
    mxHosts: [],
    result: "success",
    sendingIp: "",
    receivingMx: "mx.x.test",
    receivingIp: "192.0.2.9",
    detail: "",
    count: 3,
  };
  const sender = new ReportSender({
    store: { reportSending: memoryStore([row], []), directory: { listDomains: async () => [] } as never },
    resolver: resolver({ "_smtp._tls.x.test": "v=TLSRPTv1; rua=mailto:one@x.test,mailto:two@x.test" }),
    log: silentLogger,
    config: {
      server: { hostname: "mail.us.test" } as never,
      reports: {
        tlsrptSend: true,
        dmarcSend: false,
        sendHourUtc: 1,
        organizationName: "",
        maxRuaPerDomain: 1,
        sentRetentionDays: 14,
        httpsTimeoutMs: 1000,
      } as never,
    },
    postOffice: {
      postSystem: async (m) => {
        mails.push(m);
        return { id: "x", local: 0, remote: 1, discarded: false, verdicts: [] };
      },
    },
  });
  const noon = Date.parse("2030-01-02T12:00:00Z");
  assert.deepEqual(
    await sender.sendDue(Date.parse("2030-01-02T00:30:00Z")),
    { tlsrpt: 0, dmarc: 0 },
    "before the hour",
  );
  assert.deepEqual(await sender.sendDue(noon), { tlsrpt: 1, dmarc: 0 });
  assert.deepEqual(await sender.sendDue(noon + 60_000), { tlsrpt: 0, dmarc: 0 });
  assert.deepEqual(
    mails.map((m) => m.to),
    ["one@x.test"],
  );
});

test("DMARC: an address whose !size the report exceeds gets nothing, and nothing counts as sent", async () => {
  const mails: SystemMail[] = [];
  const store = memoryStore([], [dmarcRow("d.test")]);
  const deps = {
    store,
    resolver: resolver({ "_dmarc.d.test": "v=DMARC1; p=none; rua=mailto:small@d.test!1k" }),
    log: silentLogger,
    postOffice: {
      postSystem: async (m: SystemMail) => {
        mails.push(m);
        return { id: "x", local: 0, remote: 1, discarded: false, verdicts: [] };
      },
    },
    maxRuaPerDomain: 2,
    maxReportsPerDay: 10,
  };
  assert.equal(await sendDmarcReports(deps, day, env), 0);
  assert.equal(mails.length, 0);
  assert.equal(await store.sentCount("dmarc", day), 0);
});
