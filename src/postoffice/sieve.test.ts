// The post office's sieve stage end to end: swaks delivers over port 25 to a real server whose
// accounts have Sieve scripts; imapflow (IMAP) and the store see where the copies went. Filing
// into folders with flags, discard, editheader, reject (every recipient: 550 5.7.1 at the end of
// DATA; one of two: the other gets it and the sender an RFC 5429 rejection MDN; spam or an SPF
// failure: no MDN), vacation once per sender, a global before script, a broken script (kept in
// INBOX) and spamtest seeing the spam filter's score.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { commandSkip } from "../testing/requires.js";

const run = promisify(execFile);
const skip = commandSkip("swaks");

/** One message over port 25 with swaks; the server's reply to the end of DATA. */
async function swaks(
  port: number,
  o: { from: string; to: string[]; subject: string; headers?: string[]; body?: string },
): Promise<string> {
  const args = ["--server", `127.0.0.1:${port}`, "--helo", "client.remote.example"];
  args.push("--from", o.from, "--to", o.to.join(","), "--data", "-");
  const data = [
    `From: <${o.from}>`,
    `To: ${o.to.map((t) => `<${t}>`).join(", ")}`,
    `Subject: ${o.subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${randomUUID()}@remote.example>`,
    ...(o.headers ?? []),
    "",
    o.body ?? "hello",
    "",
  ].join("\n");
  const child = run("swaks", args, { timeout: 30_000 });
  child.child.stdin?.end(data);
  // swaks exits non-zero when the server refuses; its transcript is still on stdout.
  const { stdout } = await child.catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? "" }));
  // The server's reply before QUIT is the one to the end of DATA.
  const lines = stdout.split("\n").map((l) => l.trimEnd());
  const quit = lines.findIndex((l) => /^\s*-> QUIT$/.test(l));
  const replies = lines
    .slice(0, quit < 0 ? lines.length : quit)
    .filter((l) => /^\s*(<-|<\*\*)\s+\d{3} /.test(l));
  return (replies.at(-1) ?? stdout).replace(/^\s*(<-|<\*\*)\s+/, "");
}

async function setScript(ts: TestServer, accountId: number, content: string): Promise<void> {
  await ts.store.sieve.put(accountId, "rules", content, { maxScripts: 20, maxTotalBytes: 1 << 20 });
  await ts.store.sieve.setActive(accountId, "rules");
}

/** Every copy of the message with this subject in the account: mailbox name, flags, text. */
async function copies(
  ts: TestServer,
  accountId: number,
  subject: string,
): Promise<{ box: string; flags: string[]; text: string }[]> {
  const out: { box: string; flags: string[]; text: string }[] = [];
  for (const box of await ts.store.mail.listMailboxes(accountId)) {
    for (const m of await ts.store.mail.listMessages(box.id)) {
      const text = (await ts.store.mail.readBody(m.blobId)).toString("utf8");
      if (text.includes(`\r\nSubject: ${subject}\r\n`))
        out.push({ box: box.name, flags: [...m.flags].sort(), text });
    }
  }
  return out;
}

/** Messages in the account whose text contains `needle` (replies, MDNs). */
async function received(ts: TestServer, accountId: number, needle: string): Promise<string[]> {
  const out: string[] = [];
  for (const box of await ts.store.mail.listMailboxes(accountId))
    for (const m of await ts.store.mail.listMessages(box.id)) {
      const text = (await ts.store.mail.readBody(m.blobId)).toString("utf8");
      if (text.includes(needle)) out.push(text);
    }
  return out;
}

describe("sieve at delivery (port 25, swaks)", { skip }, () => {
  let ts: TestServer;
  let dns: DnsServer;
  let dir: string;
  const id: Record<string, number> = {};

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "yubin-sieve-"));
    await writeFile(
      join(dir, "before.sieve"),
      'require ["fileinto", "mailbox"];\nif header :contains "subject" "[global]" { fileinto :create "Global"; }\n',
    );
    await writeFile(
      join(dir, "after.sieve"),
      'require ["fileinto", "mailbox"];\nif header :contains "subject" "[after]" { fileinto :create "After"; }\n',
    );
    dns = await startDnsServer([{ name: "forged.example", type: "TXT", value: "v=spf1 -all" }]);
    ts = await startTestServer({
      users: ["alice", "bob", "carol", "dave"].map((u) => ({
        address: `${u}@example.test`,
        password: testPassword,
      })),
      config: {
        dns: { servers: dns.servers, timeoutMs: 3000, tries: 2 },
        dnsbl: { fcrdnsWeight: 0 },
        mailauth: { verifyInbound: true },
        sieve: { globalBefore: join(dir, "before.sieve"), globalAfter: join(dir, "after.sieve") },
      },
    });
    for (const u of ts.users) id[u.address.split("@")[0]!] = u.id;
  });
  after(async () => {
    await ts?.stop();
    await dns?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("fileinto a folder with flags: imapflow sees it there, flagged, and not in INBOX", async () => {
    await setScript(
      ts,
      id.alice!,
      `require ["fileinto", "imap4flags", "mailbox"];
if address :is "from" "boss@bank.example" { fileinto :create :flags ["\\\\Flagged", "$Bank"] "Finance"; stop; }
if header :contains "subject" "newsletter" { addflag "\\\\Seen"; }
`,
    );
    const s1 = `statement ${randomUUID()}`;
    assert.match(
      await swaks(ts.ports.smtp, { from: "boss@bank.example", to: ["alice@example.test"], subject: s1 }),
      /^250 /,
    );
    const s2 = `newsletter ${randomUUID()}`;
    assert.match(
      await swaks(ts.ports.smtp, { from: "news@shop.example", to: ["alice@example.test"], subject: s2 }),
      /^250 /,
    );

    const c = new ImapFlow({
      host: "127.0.0.1",
      port: ts.ports.imaps!,
      secure: true,
      tls: { ca: ts.certPem, servername: "mail.example.test" },
      auth: { user: "alice@example.test", pass: testPassword },
      logger: false,
    });
    await c.connect();
    try {
      const found = async (box: string, subject: string) => {
        const lock = await c.getMailboxLock(box);
        try {
          const out: string[][] = [];
          for await (const m of c.fetch("1:*", { envelope: true, flags: true }))
            if (m.envelope?.subject === subject) out.push([...(m.flags ?? [])].sort());
          return out;
        } finally {
          lock.release();
        }
      };
      assert.deepEqual(await found("Finance", s1), [["$Bank", "\\Flagged"]]);
      assert.deepEqual(await found("INBOX", s1), []);
      assert.deepEqual(await found("INBOX", s2), [["\\Seen"]]);
    } finally {
      await c.logout();
    }
  });

  test("fileinto a missing folder without :create files into INBOX", async () => {
    await setScript(ts, id.bob!, 'require "fileinto";\nfileinto "Nowhere";\n');
    const s = `lost ${randomUUID()}`;
    assert.match(
      await swaks(ts.ports.smtp, { from: "x@remote.example", to: ["bob@example.test"], subject: s }),
      /^250 /,
    );
    assert.deepEqual(
      (await copies(ts, id.bob!, s)).map((c) => c.box),
      ["INBOX"],
    );
  });

  test("discard: accepted, nothing filed", async () => {
    await setScript(ts, id.bob!, 'if header :contains "subject" "spam-me" { discard; }\n');
    const s = `spam-me ${randomUUID()}`;
    assert.match(
      await swaks(ts.ports.smtp, { from: "x@remote.example", to: ["bob@example.test"], subject: s }),
      /^250 /,
    );
    assert.deepEqual(await copies(ts, id.bob!, s), []);
  });

  test("editheader: the account's copy is the edited message", async () => {
    await setScript(
      ts,
      id.carol!,
      'require "editheader";\naddheader "X-Rule" "matched";\ndeleteheader "X-Tracking";\n',
    );
    const s = `edited ${randomUUID()}`;
    await swaks(ts.ports.smtp, {
      from: "x@remote.example",
      to: ["carol@example.test"],
      subject: s,
      headers: ["X-Tracking: 12345"],
    });
    const [c] = await copies(ts, id.carol!, s);
    assert.ok(c);
    assert.match(c.text, /^Return-Path: <x@remote\.example>\r\nX-Rule: matched\r\nReceived: /);
    assert.ok(!c.text.includes("X-Tracking"));
  });

  test("reject by every recipient: 550 5.7.1 at the end of DATA with the reason, nothing filed", async () => {
    await setScript(ts, id.dave!, 'require "reject";\nreject "I do not want this";\n');
    await setScript(ts, id.carol!, 'require "ereject";\nereject "Not here either";\n');
    const s = `unwanted ${randomUUID()}`;
    assert.equal(
      await swaks(ts.ports.smtp, {
        from: "x@remote.example",
        to: ["dave@example.test", "carol@example.test"],
        subject: s,
      }),
      "550 5.7.1 Message rejected: I do not want this",
    );
    assert.deepEqual(await copies(ts, id.dave!, s), []);
    assert.deepEqual(await copies(ts, id.carol!, s), []);
    await ts.store.sieve.setActive(id.carol!, null);
  });

  test("reject by one of two: the other gets it, the sender gets the RFC 5429 rejection MDN", async () => {
    await setScript(ts, id.dave!, 'require "reject";\nreject "I do not want this";\n');
    const s = `half ${randomUUID()}`;
    assert.match(
      await swaks(ts.ports.smtp, {
        from: "alice@example.test",
        to: ["dave@example.test", "bob@example.test"],
        subject: s,
      }),
      /^250 /,
    );
    assert.equal((await copies(ts, id.bob!, s)).length, 1);
    assert.deepEqual(await copies(ts, id.dave!, s), []);
    const [mdn, ...more] = await received(ts, id.alice!, "Subject: Automatically rejected mail");
    assert.equal(more.length, 0);
    assert.ok(mdn);
    assert.match(mdn, /^Return-Path: <>\r\n/);
    assert.match(mdn, /\r\nFrom: <dave@example\.test>\r\nTo: <alice@example\.test>\r\n/);
    assert.match(mdn, /\r\nAuto-Submitted: auto-replied\r\n/);
    assert.match(mdn, /Content-Type: multipart\/report; report-type=disposition-notification;/);
    assert.match(mdn, /\r\nI do not want this\r\n/);
    assert.match(mdn, /\r\nDisposition: automatic-action\/MDN-sent-automatically; deleted\r\n/);
    assert.match(mdn, /\r\nFinal-Recipient: rfc822; dave@example\.test\r\n/);
    assert.ok(mdn.includes(`Subject: ${s}`), "quotes the original header");
  });

  test("submission: ereject by every recipient is refused in the protocol, reject gets the MDN", async () => {
    const submit = async (subject: string): Promise<string> => {
      const t = nodemailer.createTransport({
        host: "127.0.0.1",
        port: ts.ports.submissions,
        secure: true,
        tls: { rejectUnauthorized: false },
        auth: { user: "alice@example.test", pass: testPassword },
      });
      try {
        await t.sendMail({
          envelope: { from: "alice@example.test", to: ["dave@example.test"] },
          raw: `From: alice@example.test\r\nTo: dave@example.test\r\nSubject: ${subject}\r\n\r\nhi\r\n`,
        });
        return "250";
      } catch (e) {
        return (e as { response?: string }).response ?? String(e);
      } finally {
        t.close();
      }
    };
    await setScript(ts, id.dave!, 'require "ereject";\nereject "Closed for the holidays";\n');
    const s1 = `ereject ${randomUUID()}`;
    assert.equal(await submit(s1), "550 5.7.1 Message rejected: Closed for the holidays");
    assert.deepEqual(await copies(ts, id.dave!, s1), []);

    // RFC 5429 2.1: plain reject at the submission door is accepted and answered with the MDN.
    await setScript(ts, id.dave!, 'require "reject";\nreject "Closed for the holidays";\n');
    const s2 = `reject ${randomUUID()}`;
    assert.equal(await submit(s2), "250");
    assert.deepEqual(await copies(ts, id.dave!, s2), []);
    const mdns = (await received(ts, id.alice!, "Subject: Automatically rejected mail")).filter((m) =>
      m.includes(`Subject: ${s2}`),
    );
    assert.equal(mdns.length, 1);
  });

  test("a rejected message whose SPF failed gets no rejection message (no backscatter)", async () => {
    await setScript(ts, id.dave!, 'require "reject";\nreject "no";\n');
    const s = `forged ${randomUUID()}`;
    const before = (await ts.store.queue.listQueue()).length;
    assert.match(
      await swaks(ts.ports.smtp, {
        from: "victim@forged.example",
        to: ["dave@example.test", "bob@example.test"],
        subject: s,
      }),
      /^250 /,
    );
    assert.equal((await copies(ts, id.bob!, s)).length, 1);
    assert.match((await copies(ts, id.bob!, s))[0]!.text, /spf=fail/);
    assert.equal((await ts.store.queue.listQueue()).length, before, "no MDN queued for the forged sender");
  });

  test("vacation: one reply per sender however many messages", async () => {
    await setScript(
      ts,
      id.bob!,
      'require "vacation";\nvacation :days 7 :subject "Away" "I am away until Monday.";\n',
    );
    // The built-in VacationResponse is on as well: one vacation, so the script's reply only.
    await ts.store.settings.setVacation(id.bob!, {
      isEnabled: true,
      fromDate: null,
      toDate: null,
      subject: null,
      textBody: "Built-in reply.",
      htmlBody: null,
    });
    const subjects = [`v1 ${randomUUID()}`, `v2 ${randomUUID()}`];
    for (const s of subjects)
      assert.match(
        await swaks(ts.ports.smtp, { from: "carol@example.test", to: ["bob@example.test"], subject: s }),
        /^250 /,
      );
    const replies = await received(ts, id.carol!, "I am away until Monday.");
    assert.equal(replies.length, 1);
    assert.deepEqual(await received(ts, id.carol!, "Built-in reply."), []);
    assert.match(replies[0]!, /^Return-Path: <>\r\n/);
    assert.match(replies[0]!, /\r\nSubject: Away\r\n/);
    assert.match(replies[0]!, /\r\nAuto-Submitted: auto-replied\r\n/);
    for (const s of subjects) assert.equal((await copies(ts, id.bob!, s)).length, 1);
    await ts.store.settings.setVacation(id.bob!, {
      isEnabled: false,
      fromDate: null,
      toDate: null,
      subject: null,
      textBody: null,
      htmlBody: null,
    });
  });

  test("the global before script runs first; its fileinto cancels the implicit keep", async () => {
    await setScript(ts, id.bob!, 'require "imap4flags";\naddflag "$User";\n');
    const s = `[global] ${randomUUID()}`;
    await swaks(ts.ports.smtp, { from: "x@remote.example", to: ["bob@example.test"], subject: s });
    assert.deepEqual(
      (await copies(ts, id.bob!, s)).map((c) => c.box),
      ["Global"],
    );
  });

  test("the global after script runs only while the message is implicitly kept", async () => {
    await setScript(
      ts,
      id.bob!,
      'require ["fileinto", "mailbox"];\nif header :contains "subject" "elsewhere" { fileinto :create "Elsewhere"; }\n',
    );
    const kept = `[after] kept ${randomUUID()}`;
    await swaks(ts.ports.smtp, { from: "x@remote.example", to: ["bob@example.test"], subject: kept });
    assert.deepEqual(
      (await copies(ts, id.bob!, kept)).map((c) => c.box),
      ["After"],
    );
    const filed = `[after] elsewhere ${randomUUID()}`;
    await swaks(ts.ports.smtp, { from: "x@remote.example", to: ["bob@example.test"], subject: filed });
    assert.deepEqual(
      (await copies(ts, id.bob!, filed)).map((c) => c.box),
      ["Elsewhere"],
    );
  });

  test("a script that does not compile: the message is kept in INBOX", async () => {
    // Stored directly: ManageSieve and JMAP refuse it, but a script may predate an upgrade.
    await setScript(ts, id.bob!, 'require "fileinto";\nif header :contains "subject" { fileinto "X" \n');
    const s = `broken ${randomUUID()}`;
    assert.match(
      await swaks(ts.ports.smtp, { from: "x@remote.example", to: ["bob@example.test"], subject: s }),
      /^250 /,
    );
    assert.deepEqual(
      (await copies(ts, id.bob!, s)).map((c) => c.box),
      ["INBOX"],
    );
  });

  test("spamtest without a spam filter: 0, not tested", async () => {
    await setScript(
      ts,
      id.bob!,
      'require ["spamtest", "fileinto", "relational", "comparator-i;ascii-numeric"];\nif spamtest :value "eq" :comparator "i;ascii-numeric" "0" { fileinto "Untested"; }\n',
    );
    await ts.ctx.store.mail.createMailbox(id.bob!, "Untested");
    const s = `untested ${randomUUID()}`;
    await swaks(ts.ports.smtp, { from: "x@remote.example", to: ["bob@example.test"], subject: s });
    assert.deepEqual(
      (await copies(ts, id.bob!, s)).map((c) => c.box),
      ["Untested"],
    );
  });
});

describe("sieve with the spam filter on", { skip }, () => {
  let ts: TestServer;
  const id: Record<string, number> = {};
  before(async () => {
    ts = await startTestServer({
      users: ["alice", "bob", "carol"].map((u) => ({ address: `${u}@example.test`, password: testPassword })),
      config: { spam: { enabled: true }, dnsbl: { fcrdnsWeight: 0 } },
    });
    for (const u of ts.users) id[u.address.split("@")[0]!] = u.id;
    // A blocked sender scores far above the junk threshold.
    for (const a of [id.alice!, id.bob!])
      await ts.store.spam.setSpamPrefs(a, { block: ["spammer@remote.example"] });
  });
  after(() => ts?.stop());

  test("spamtest sees the spam filter's score: over the junk threshold is 6 or more, a clean message less", async () => {
    await setScript(
      ts,
      id.alice!,
      'require ["spamtest", "fileinto", "mailbox", "relational", "comparator-i;ascii-numeric"];\nif spamtest :value "ge" :comparator "i;ascii-numeric" "6" { fileinto :create "Spammy"; }\n',
    );
    // An executable behind a double extension: ATTACH_EXECUTABLE 3 + ATTACH_DOUBLE_EXT 2.5 = 5.5,
    // over the default junk threshold 5 (src/spam/filter.test.ts).
    const exe = `invoice ${randomUUID()}`;
    await swaks(ts.ports.smtp, {
      from: "billing@remote.example",
      to: ["alice@example.test"],
      subject: exe,
      headers: ["MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="b1"'],
      body: [
        "--b1",
        "Content-Type: text/html",
        "",
        "<p>Your invoice</p>",
        "--b1",
        'Content-Type: application/octet-stream; name="invoice.pdf.exe"',
        'Content-Disposition: attachment; filename="invoice.pdf.exe"',
        "Content-Transfer-Encoding: base64",
        "",
        "TVqQAAMAAAAEAAAA",
        "--b1--",
      ].join("\n"),
    });
    const [c] = await copies(ts, id.alice!, exe);
    assert.match(c?.text ?? "", /\r\nX-Spam-Score: 5\.5\r\n/);
    assert.equal(c?.box, "Spammy", "the script's fileinto wins over the Junk choice");
    const clean = `lunch ${randomUUID()}`;
    await swaks(ts.ports.smtp, { from: "friend@remote.example", to: ["alice@example.test"], subject: clean });
    assert.deepEqual(
      (await copies(ts, id.alice!, clean)).map((x) => x.box),
      ["INBOX"],
    );
  });

  test("a spam-classified message rejected by one recipient: no rejection message", async () => {
    await setScript(ts, id.bob!, 'require "reject";\nreject "go away";\n');
    const s = `offer ${randomUUID()}`;
    assert.match(
      await swaks(ts.ports.smtp, {
        from: "spammer@remote.example",
        to: ["bob@example.test", "carol@example.test"],
        subject: s,
      }),
      /^250 /,
    );
    assert.equal((await copies(ts, id.carol!, s)).length, 1);
    assert.deepEqual(await copies(ts, id.bob!, s), []);
    assert.deepEqual(await ts.store.queue.listQueue(), [], "no MDN queued for the spammer");
  });
});
