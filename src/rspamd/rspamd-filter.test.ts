// rspamd and the URI lists inside the spam filter, end to end: a real server with [rspamd] url
// pointing at a real rspamd (test-rspamd.ts) and [dnsbl] uriZones at our own DNS server; mail
// over port 25; exact X-Spam-Status tests and the mailbox it was filed into.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { dnsblStatus } from "../dnsbl/index.js";
import { RawSmtpClient } from "../smtp/test-client.js";
import { startSmtpTestServer } from "../smtp/test-server.js";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import type { TestServer } from "../testing/harness.js";
import { freePort } from "../testing/net.js";
import { commandSkip } from "../testing/requires.js";
import { marker, startTestRspamd, type TestRspamd } from "./test-rspamd.js";

async function send(port: number, message: string): Promise<void> {
  const c = await RawSmtpClient.connect({ port });
  try {
    assert.match(await c.reply(), /^220 /);
    assert.match(await c.cmd("EHLO client.example.org"), /^250-/);
    assert.equal(await c.cmd("MAIL FROM:<sender@example.org>"), "250 2.1.0 Sender OK");
    assert.equal(await c.cmd("RCPT TO:<alice@example.test>"), "250 2.1.5 Recipient OK");
    assert.equal(await c.cmd("DATA"), "354 End data with <CR><LF>.<CR><LF>");
    assert.match(await c.cmd(`${message.replaceAll("\n", "\r\n")}\r\n.`), /^250 2\.0\.0 OK/);
  } finally {
    c.close();
  }
}

/** The newest message in the mailbox, as text ("" when none). */
async function newest(s: TestServer, mailbox: "INBOX" | "Junk"): Promise<string> {
  const box = await s.store.mail.getMailbox(s.users[0]!.id, mailbox);
  if (!box) return "";
  const metas = await s.store.mail.listMessages(box.id);
  const last = metas.at(-1);
  return last ? (await s.store.mail.readBody(last.blobId)).toString("utf8") : "";
}

function spamStatus(msg: string): string {
  return /^X-Spam-Status: (.*)$/m.exec(msg)?.[1] ?? "";
}

const headers = (subject: string) =>
  `From: Sender <sender@example.org>\nTo: alice@example.test\nDate: Sun, 06 Dec 2026 12:00:00 +0000\nMessage-ID: <${subject.length}.${Date.now()}@example.org>\nSubject: ${subject}`;

describe("spam filter with rspamd and URI lists", { skip: commandSkip("rspamd") }, () => {
  let rspamd: TestRspamd;
  let dns: DnsServer;
  let s: TestServer;
  before(async () => {
    rspamd = await startTestRspamd();
    dns = await startDnsServer([{ name: "spam.example.uribl.test", type: "A", value: "127.0.1.2" }]);
    s = await startSmtpTestServer({
      config: {
        dns: { servers: dns.servers },
        spam: { enabled: true },
        rspamd: { url: rspamd.url },
        dnsbl: { uriZones: ["uribl.test=127.0.1.[2..99]*3"] },
      },
    });
  });
  after(async () => {
    await s?.stop();
    await dns?.stop();
    await rspamd?.stop();
  });

  test("rspamd's verdict is a signal in X-Spam-Status; a marked message goes to Junk", async () => {
    await send(s.ports.smtp, `${headers(`offer ${marker}`)}\n\nhello\n`);
    const msg = await newest(s, "Junk");
    assert.match(spamStatus(msg), /^Yes, score=/);
    assert.match(spamStatus(msg), /(^|[ ,=])RSPAMD=7\.5(,|$)/);
  });

  test("a link to a domain on a URI list adds URIBL_<zone> with its weight", async () => {
    await send(s.ports.smtp, `${headers("see this")}\n\nhttps://www.spam.example/x\n`);
    const msg = (await newest(s, "INBOX")) || (await newest(s, "Junk"));
    assert.match(msg, /Subject: see this/);
    assert.match(spamStatus(msg), /(^|[ ,=])URIBL_uribl\.test=3(,|$)/);
    assert.match(spamStatus(msg), /(^|[ ,=])RSPAMD=0(,|$)/); // asked, nothing fired
    // The admin page's DNSBL status counts the URI list with the others.
    const uri = dnsblStatus(s.ctx).find((z) => z.kind === "uri");
    assert.deepEqual(
      { zone: uri?.zone, queries: uri?.queries, listed: uri?.listed },
      { zone: "uribl.test", queries: 1, listed: 1 },
    );
  });
});

describe("spam filter when rspamd is down", () => {
  let s: TestServer;
  before(async () => {
    // A port nothing listens on: connecting is refused. Not one from listen(0), which the kernel
    // hands to the next server of another test file asking for one while this describe runs.
    const port = await freePort();
    s = await startSmtpTestServer({
      config: { spam: { enabled: true }, rspamd: { url: `http://127.0.0.1:${port}`, timeoutMs: 500 } },
    });
  });
  after(async () => {
    await s?.stop();
  });

  test("mail still flows: RSPAMD_UNAVAILABLE, scored without rspamd", async () => {
    await send(s.ports.smtp, `${headers("rspamd down")}\n\nhello\n`);
    const msg = (await newest(s, "INBOX")) || (await newest(s, "Junk"));
    assert.match(msg, /Subject: rspamd down/);
    assert.match(spamStatus(msg), /(^|[ ,=])RSPAMD_UNAVAILABLE=0(,|$)/);
    assert.doesNotMatch(spamStatus(msg), /RSPAMD=/);
  });
});
