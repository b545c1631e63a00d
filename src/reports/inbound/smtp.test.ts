// Received reports end to end: swaks delivers real report messages over port 25 to our report
// addresses; the reports land in the report store (once, however often they are mailed), the
// messages are still filed, and what is not ours or not a report address is left alone.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { zipSync } from "fflate";
import { createLogger } from "../../log/logger.js";
import { startTestServer, type TestServer, testPassword } from "../../testing/harness.js";
import { commandSkip } from "../../testing/requires.js";
import {
  googleZipMessage,
  microsoftDmarcXml,
  microsoftGzipMessage,
  tlsRptMessage,
  yahooPlainMessage,
  zipMessage,
} from "./test-fixtures.js";

const skip = commandSkip("swaks");
const run = promisify(execFile);
const D = "example.test";
/** The reply to the end of DATA was a 250 (swaks prints the server's lines after "<-"). */
const accepted = /<- {2}250 [^\n]*\n -> QUIT/;

describe("received reports over port 25", { skip }, () => {
  let ts: TestServer;
  const logLines: string[] = [];
  before(async () => {
    ts = await startTestServer({
      log: createLogger({ format: "json", level: "info", write: (l) => logLines.push(l) }),
      users: [
        { address: `admin@${D}`, password: testPassword, isAdmin: true },
        { address: `carol@${D}`, password: testPassword },
        { address: `dmarc@${D}`, password: testPassword },
      ],
    });
  });
  after(async () => {
    await ts?.stop();
  });

  async function swaks(to: string, message: Buffer): Promise<string> {
    const args = ["--server", `127.0.0.1:${ts.ports.smtp}`, "--helo", "mx.reporter.test"];
    args.push("--from", "reports@reporter.test", "--to", to, "--data", "-");
    const child = run("swaks", args, { timeout: 30_000 });
    child.child.stdin?.end(message.toString("latin1").replace(/\r\n/g, "\n"));
    const r = await child.catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? "" }));
    return r.stdout;
  }

  /** Waits (bounded) until `n` reports are stored. */
  async function stored(n: number) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const list = await ts.store.reports.list({ domains: null, limit: 100 });
      if (list.length >= n || Date.now() > deadline) return list;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  test("DMARC zip, gzip and plain XML and a TLS-RPT gzip to postmaster@ are stored and filed", async () => {
    for (const m of [
      googleZipMessage(D, `postmaster@${D}`),
      microsoftGzipMessage(D, `postmaster@${D}`),
      yahooPlainMessage(D, `postmaster@${D}`),
      tlsRptMessage(D, `postmaster@${D}`),
    ])
      assert.match(await swaks(`postmaster@${D}`, m), accepted);
    const list = await stored(4);
    assert.deepEqual(list.map((r) => `${r.kind} ${r.org} ${r.total}/${r.failed}`).sort(), [
      "dmarc Enterprise Outlook 4/0",
      "dmarc Yahoo 1/1",
      "dmarc google.com 15/3",
      "tlsrpt Google Inc. 43/2",
    ]);
    const admin = ts.users.find((u) => u.address === `admin@${D}`)!;
    const inbox = await ts.store.mail.getMailbox(admin.id, "INBOX");
    assert.equal((await ts.store.mail.listMessages(inbox!.id)).length, 4, "the messages are filed as well");
  });

  test("mailed again: stored once; a report about a domain we do not host, or to another address, is not stored", async () => {
    const before = (await stored(4)).length;
    assert.match(await swaks(`postmaster@${D}`, googleZipMessage(D, `postmaster@${D}`)), accepted);
    assert.match(
      await swaks(
        `postmaster@${D}`,
        microsoftGzipMessage(
          "elsewhere.example",
          `postmaster@${D}`,
          gzipSync(microsoftDmarcXml("elsewhere.example")),
        ),
      ),
      accepted,
    );
    const other = yahooPlainMessage(D, `carol@${D}`).toString().replaceAll("1765065600.553177", "other-id");
    assert.match(await swaks(`carol@${D}`, Buffer.from(other)), accepted);
    // Bombs: a gzip and a zip expanding to 64 MiB, past the 50 MiB cap.
    const bomb = new Uint8Array(64 * 1024 * 1024);
    assert.match(
      await swaks(`postmaster@${D}`, microsoftGzipMessage(D, `postmaster@${D}`, gzipSync(bomb))),
      accepted,
    );
    const zip = Buffer.from(zipSync({ "bomb.xml": bomb }, { level: 9 }));
    assert.match(await swaks(`postmaster@${D}`, zipMessage(D, `postmaster@${D}`, zip, "bomb.zip")), accepted);
    // The queue is one reader: a report sent after these and stored proves they were dealt with.
    const probe = yahooPlainMessage(D, `postmaster@${D}`).toString().replaceAll("1765065600.553177", "probe");
    assert.match(await swaks(`postmaster@${D}`, Buffer.from(probe)), accepted);
    const list = await stored(before + 1);
    assert.equal(list.length, before + 1);
    assert.ok(list.some((r) => r.reportId === "probe"));
    assert.ok(!list.some((r) => r.reportId === "other-id"), "carol@ is not a report address");
    const dropped = logLines.map((l) => JSON.parse(l)).filter((l) => l.msg === "report dropped");
    assert.deepEqual(dropped.map((l) => String(l.reason).split(":")[0]).sort(), [
      "not about a domain we host",
      "too-large",
      "too-large",
    ]);
    assert.ok(
      dropped.every((l) => typeof l.cid === "string"),
      "each with the message's cid",
    );
  });
});
