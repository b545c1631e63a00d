// The spam filter end to end: real clients (swaks on port 25, nodemailer on submission) against
// an in-process server with [spam] on; what they see in the dialogue, where copies are filed,
// the X-Spam-* fields, the queue and postmaster's mailbox.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import nodemailer from "nodemailer";
import { createLogger } from "../log/logger.js";
import { releaseHeld } from "../postoffice/release-held.js";
import { jmapSend, startJmapHttp } from "../postoffice/test-jmap-send.js";
import { RawSmtpClient } from "../smtp/test-client.js";
import type { SpamVerdictRecord } from "../store/types.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { commandSkip } from "../testing/requires.js";
import { trainMessage } from "./classifier/train.js";

const skip = commandSkip("swaks");
const run = promisify(execFile);

/** A message with every field a mail program writes; `extra` fields, then the body. */
function mail(o: { subject: string; from?: string; to?: string; extra?: string; body?: string }): string {
  const head = [
    `From: ${o.from ?? "Dave <dave@remote.test>"}`,
    `To: ${o.to ?? "carol@example.test"}`,
    `Subject: ${o.subject}`,
    `Date: ${new Date().toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: <${o.subject}.${Math.random().toString(36).slice(2)}@remote.test>`,
    ...(o.extra ? [o.extra] : []),
  ];
  return `${head.join("\r\n")}\r\n\r\n${o.body ?? "Hello,\r\nsee you at lunch.\r\n"}`;
}

/** An "invoice.pdf.exe" attachment (ATTACH_EXECUTABLE + ATTACH_DOUBLE_EXT: 5.5 points). */
function withExe(subject: string, more = "", from?: string): string {
  return mail({
    subject,
    ...(from ? { from } : {}),
    extra: 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"',
    body: [
      "--b1",
      "Content-Type: text/html",
      "",
      `<p>Your invoice</p>${more}`,
      "--b1",
      'Content-Type: application/octet-stream; name="invoice.pdf.exe"',
      'Content-Disposition: attachment; filename="invoice.pdf.exe"',
      "Content-Transfer-Encoding: base64",
      "",
      "TVqQAAMAAAAEAAAA",
      "--b1--",
      "",
    ].join("\r\n"),
  });
}

/** Over rejectScore 15 (15.7): every attachment, link, From and Date trick at once. */
function heavy(subject: string, from = '"support@bank.example" <dave@remote.test>'): string {
  const links =
    '<a href="http://198.51.100.7/x">https://www.bank.example/login</a> <a href="https://bit.ly/x">here</a>';
  const future = new Date(Date.now() + 48 * 3_600_000).toUTCString().replace("GMT", "+0000");
  return withExe(subject, links, from)
    .replace(`Subject: ${subject}`, () => `Subject: ${subject} URGENT!!! $$`)
    .replace(/^Date: [^\r\n]*/m, () => `Date: ${future}`)
    .replace(
      "--b1--",
      '--b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="pay.xlsm"\r\n\r\nAA\r\n--b1\r\nContent-Type: application/zip\r\nContent-Disposition: attachment; filename="setup.exe.zip"\r\n\r\nAA\r\n--b1--',
    );
}

/** The newest recorded verdict once it matches (verdicts are written off the message's path). */
async function newestVerdict(
  ts: TestServer,
  match: (v: SpamVerdictRecord) => boolean,
): Promise<SpamVerdictRecord | undefined> {
  const until = Date.now() + 10_000;
  for (;;) {
    const [v] = await ts.store.spam.recentVerdicts(1);
    if ((v && match(v)) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("spam filter, end to end", { skip }, () => {
  let ts: TestServer;
  const ids: Record<string, number> = {};

  before(async () => {
    ts = await startTestServer({
      domains: ["example.test", "other.test"],
      users: [
        { address: "alice@example.test", password: testPassword },
        { address: "carol@example.test", password: testPassword },
        { address: "postmaster@example.test", password: testPassword },
        { address: "olga@other.test", password: testPassword },
      ],
      config: { spam: { enabled: true, domains: ["other.test:rejectScore=6"] } },
    });
    for (const u of ts.users) ids[u.address] = u.id;
  });
  after(async () => {
    await ts?.stop();
  });

  /** swaks on port 25; its transcript. */
  async function swaks(o: { to: string[]; from?: string; data: string }): Promise<string> {
    const args = ["--server", `127.0.0.1:${ts.ports.smtp}`, "--helo", "mx.remote.test"];
    args.push("--from", o.from ?? "dave@remote.test", "--to", o.to.join(","), "--data", "-");
    const child = run("swaks", args, { timeout: 30_000 });
    child.child.stdin?.end(o.data.replace(/\r\n/g, "\n"));
    // swaks exits non-zero when the server refuses; the transcript is what counts.
    const r = await child.catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? "" }));
    return r.stdout;
  }

  /** The copies of a message (by subject) in an account: [mailbox specialUse or name, text]. */
  async function copies(address: string, subject: string): Promise<[string, string][]> {
    const out: [string, string][] = [];
    for (const box of await ts.store.mail.listMailboxes(ids[address]!))
      for (const m of await ts.store.mail.listMessages(box.id)) {
        const text = (await ts.store.mail.readBody(m.blobId)).toString("utf8");
        if (text.includes(`Subject: ${subject}`)) out.push([box.specialUse ?? box.name, text]);
      }
    return out;
  }

  const field = (text: string, name: string) =>
    text
      .split("\r\n\r\n")[0]!
      .split("\r\n")
      .filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));

  test("swaks: an executable behind a double extension → Junk, X-Spam-Status: Yes naming the tests", async () => {
    const t = await swaks({ to: ["carol@example.test"], data: withExe("exe-junk") });
    assert.match(t, /<- {2}250 /);
    const got = await copies("carol@example.test", "exe-junk");
    assert.equal(got.length, 1);
    assert.equal(got[0]![0], "\\Junk");
    const [status] = field(got[0]![1], "X-Spam-Status");
    assert.match(
      status!,
      /^X-Spam-Status: Yes, score=5\.5 required=5\.0 tests=ATTACH_EXECUTABLE=3,ATTACH_DOUBLE_EXT=2\.5$/,
    );
    assert.deepEqual(field(got[0]![1], "X-Spam-Flag"), ["X-Spam-Flag: YES"]);
    assert.deepEqual(field(got[0]![1], "X-Spam-Score"), ["X-Spam-Score: 5.5"]);
  });

  test("a clean message → INBOX with X-Spam-Status: No; the sender's own X-Spam-* fields are removed", async () => {
    const data = mail({
      subject: "clean",
      extra: "X-Spam-Status: No, score=-100\r\nX-Spam-Flag: NO\r\nX-Spam-Score: -100",
    });
    assert.match(await swaks({ to: ["carol@example.test"], data }), /<- {2}250 /);
    const got = await copies("carol@example.test", "clean");
    assert.equal(got.length, 1);
    assert.equal(got[0]![0], "INBOX");
    assert.deepEqual(field(got[0]![1], "X-Spam-Status"), [
      "X-Spam-Status: No, score=0.0 required=5.0 tests=none",
    ]);
    assert.deepEqual(field(got[0]![1], "X-Spam-Score"), ["X-Spam-Score: 0.0"]);
    assert.deepEqual(field(got[0]![1], "X-Spam-Flag"), []);
  });

  test("a forged X-Spam-Flag: NO on spam is replaced by ours", async () => {
    const data = withExe("forged-flag").replace(
      "Subject: forged-flag",
      "Subject: forged-flag\r\nX-Spam-Flag: NO",
    );
    await swaks({ to: ["carol@example.test"], data });
    const [[folder, text]] = (await copies("carol@example.test", "forged-flag")) as [[string, string]];
    assert.equal(folder, "\\Junk");
    assert.deepEqual(field(text, "X-Spam-Flag"), ["X-Spam-Flag: YES"]);
  });

  test("at rejectScore: 550 5.7.1 at DATA naming the tests; nothing filed, queued or sent back", async () => {
    const before = (await copies("alice@example.test", "")).length;
    const t = await swaks({ to: ["carol@example.test"], from: "alice@example.test", data: heavy("heavy") });
    assert.match(
      t,
      /<\*\* +550 5\.7\.1 Message rejected: message refused as spam \(score \d+\.\d: [A-Z_ ]*ATTACH_EXECUTABLE/,
    );
    assert.deepEqual(await copies("carol@example.test", "heavy"), []);
    // No backscatter: the (local) envelope sender got nothing, and nothing is queued for anyone.
    assert.equal((await copies("alice@example.test", "")).length, before);
    assert.deepEqual(await ts.store.queue.listQueue(), []);
    const v = await newestVerdict(ts, (x) => x.action === "reject");
    assert.equal(v?.action, "reject");
    assert.match(v?.reasons ?? "", /ATTACH_EXECUTABLE=3/);
  });

  test("per-domain override: other.test refuses from 6, example.test files the same message in Junk", async () => {
    // ATTACH_EXECUTABLE 3 + ATTACH_DOUBLE_EXT 2.5 + LINK_TEXT_MISMATCH 2 + LINK_BARE_IP 0.3 = 7.8
    const data = withExe("domain-override", '<a href="http://198.51.100.7/x">https://www.bank.example/</a>');
    assert.match(await swaks({ to: ["olga@other.test"], data }), /<\*\* +550 5\.7\.1 /);
    assert.deepEqual(await copies("olga@other.test", "domain-override"), []);
    assert.match(await swaks({ to: ["carol@example.test"], data }), /<- {2}250 /);
    assert.equal((await copies("carol@example.test", "domain-override"))[0]?.[0], "\\Junk");
  });

  test("a user's allow list wins: INBOX and never refused; the other recipient gets it in Junk", async () => {
    await ts.store.spam.setSpamPrefs(ids["alice@example.test"]!, { allow: ["@remote.test"] });
    const t = await swaks({ to: ["alice@example.test", "carol@example.test"], data: heavy("allowed") });
    assert.match(t, /<- {2}250 /);
    assert.equal((await copies("alice@example.test", "allowed"))[0]?.[0], "INBOX");
    assert.equal((await copies("carol@example.test", "allowed"))[0]?.[0], "\\Junk");
    // Alone, the same message is refused for carol.
    assert.match(await swaks({ to: ["carol@example.test"], data: heavy("allowed2") }), /<\*\* +550 5\.7\.1 /);
    await ts.store.spam.setSpamPrefs(ids["alice@example.test"]!, { allow: [] });
  });

  test("a user's block list files a clean message into Junk", async () => {
    await ts.store.spam.setSpamPrefs(ids["carol@example.test"]!, { block: ["dave@remote.test"] });
    await swaks({ to: ["carol@example.test"], data: mail({ subject: "blocked" }) });
    const [[folder, text]] = (await copies("carol@example.test", "blocked")) as [[string, string]];
    assert.equal(folder, "\\Junk");
    assert.match(field(text, "X-Spam-Status")[0]!, /^X-Spam-Status: Yes, score=0\.0 /);
    await ts.store.spam.setSpamPrefs(ids["carol@example.test"]!, { block: [] });
  });

  test("the classifier: after training, a message like the spam gets BAYES_99 and goes to Junk", async () => {
    const spamWords = "viagra casino jackpot bitcoin lottery winner pharmacy discount bonus prize";
    const hamWords = "meeting agenda minutes project review deadline budget lunch report schedule";
    const body = (words: string, i: number) =>
      mail({
        subject: `t${i}`,
        body: `${words
          .split(" ")
          .sort(() => (i % 3) - 1)
          .join(" ")} number${i}\r\n`,
      });
    for (let i = 0; i < 25; i++) {
      await trainMessage(ts.store.spam, {
        accountId: 0,
        key: `s${i}`,
        as: "spam",
        body: Buffer.from(body(spamWords, i)),
      });
      await trainMessage(ts.store.spam, {
        accountId: 0,
        key: `h${i}`,
        as: "ham",
        body: Buffer.from(body(hamWords, i)),
      });
    }
    await swaks({
      to: ["carol@example.test"],
      data: mail({ subject: "bayes-spam", body: `${spamWords}\r\n` }),
    });
    const [[folder, text]] = (await copies("carol@example.test", "bayes-spam")) as [[string, string]];
    assert.match(
      field(text, "X-Spam-Status")[0]!,
      // Sure to p ≥ 0.999994, the log-odds clip of rules/bayes.ts: 0.61 × 12 + 3.2 = 10.52.
      /^X-Spam-Status: Yes, score=10\.5 required=5\.0 tests=BAYES_99=10\.52$/,
    );
    assert.equal(folder, "\\Junk");
    await swaks({
      to: ["carol@example.test"],
      data: mail({ subject: "bayes-ham", body: `${hamWords}\r\n` }),
    });
    const [[hamFolder, hamText]] = (await copies("carol@example.test", "bayes-ham")) as [[string, string]];
    assert.match(field(hamText, "X-Spam-Status")[0]!, /^X-Spam-Status: No, .*BAYES_00=-4\.12/);
    assert.equal(hamFolder, "INBOX");
  });

  test("outbound: a user's spammy message to another server → 250, queued held, postmaster told, released by an admin", async () => {
    const submit = nodemailer.createTransport({
      host: "127.0.0.1",
      port: ts.ports.submissions,
      secure: true,
      tls: { rejectUnauthorized: false },
      auth: { user: "alice@example.test", pass: testPassword },
    });
    try {
      const info = await submit.sendMail({
        envelope: { from: "alice@example.test", to: ["victim@remote.test"] },
        // (Submission refuses a From that shows another address, so 14.3 here.)
        raw: heavy("outbound-held", "Alice <alice@example.test>"),
      });
      assert.match(info.response, /^250 /);
    } finally {
      submit.close();
    }
    const held = await ts.store.queue.listQueue({ state: "held" });
    assert.equal(held.length, 1);
    assert.equal(held[0]!.accountId, ids["alice@example.test"]);
    const notice = await copies("postmaster@example.test", "Outgoing message held from alice@example.test");
    assert.equal(notice.length, 1);
    assert.match(notice[0]![1], new RegExp(`entry ${held[0]!.id}\\)`));
    assert.match(notice[0]![1], /outbound spam score \d+\.\d >= 10/);
    // Held: the delivery engine never claims it, however late it is.
    const later = new Date(Date.now() + 86_400_000);
    const lease = new Date(later.getTime() + 60_000);
    assert.deepEqual(await ts.store.queue.claimQueued({ now: later, leaseUntil: lease, limit: 10 }), []);
    const released = await releaseHeld(ts.store, held[0]!.id, new Date());
    assert.equal(released.state, "queued");
    await ts.store.queue.removeQueued(held[0]!.id);
  });

  test("outbound: an ordinary message is queued, not held", async () => {
    const submit = nodemailer.createTransport({
      host: "127.0.0.1",
      port: ts.ports.submissions,
      secure: true,
      tls: { rejectUnauthorized: false },
      auth: { user: "alice@example.test", pass: testPassword },
    });
    try {
      await submit.sendMail({
        envelope: { from: "alice@example.test", to: ["friend@remote.test"] },
        raw: mail({ subject: "outbound-ok", from: "alice@example.test", to: "friend@remote.test" }),
      });
    } finally {
      submit.close();
    }
    const q = await ts.store.queue.listQueue();
    assert.deepEqual(
      q.map((e) => e.state),
      ["queued"],
    );
    await ts.store.queue.removeQueued(q[0]!.id);
  });
});

describe("spam filter: the JMAP door and the delivery log line", () => {
  let ts: TestServer;
  let jmap: Awaited<ReturnType<typeof startJmapHttp>>;
  const lines: string[] = [];

  before(async () => {
    ts = await startTestServer({
      users: [{ address: "alice@example.test", password: testPassword }],
      config: { spam: { enabled: true, outboundHoldScore: 2 } },
      log: createLogger({ format: "json", level: "info", write: (l) => lines.push(l) }),
    });
    jmap = await startJmapHttp(() => ts.ctx);
  });
  after(async () => {
    await jmap?.close();
    await ts?.stop();
  });

  test("JMAP/webmail: over outboundHoldScore the submission succeeds and the remote copy is held", async () => {
    const j = await jmapSend({
      base: jmap.base,
      store: ts.store,
      accountId: ts.users[0]!.id,
      address: "alice@example.test",
      password: testPassword,
      to: ["someone@remote.test"],
      subject: "WIN MONEY TODAY!!! $$",
      // LINK_BARE_IP 0.3 + LINK_SHORTENER 0.5 + SUBJ_ALL_CAPS 0.7 + SUBJ_EXCESS_PUNCT 0.8 = 2.3
      body: "Claim at http://198.51.100.7/claim or https://bit.ly/win",
    });
    assert.ok(j.created, JSON.stringify(j.response));
    const q = await ts.store.queue.listQueue();
    assert.deepEqual(
      q.map((e) => e.state),
      ["held"],
    );
    const v = await newestVerdict(ts, (x) => x.door === "jmap");
    assert.equal(v?.door, "jmap");
    assert.equal(v?.action, "hold");
    assert.equal(v?.score, 2.3);
  });

  test("port 25: the verdict and its tests are in the delivery's log line", async () => {
    const c = await RawSmtpClient.connect({ port: ts.ports.smtp });
    try {
      await c.reply();
      await c.cmd("EHLO mx.remote.test");
      await c.cmd("MAIL FROM:<dave@remote.test>");
      await c.cmd("RCPT TO:<alice@example.test>");
      await c.cmd("DATA");
      c.send("Subject: no date\r\n\r\nhello\r\n.\r\n");
      assert.match(await c.reply(), /^250 /);
    } finally {
      await c.cmd("QUIT").catch(() => "");
    }
    const line = lines.find((l) => l.includes('"verdicts":"spam=score='));
    assert.match(
      line ?? "",
      /"verdicts":"spam=score=2\.9 tests=MISSING_DATE=1\.4,MISSING_FROM=1,MISSING_MID=0\.5"/,
    );
  });
});

describe("spam filter off", { skip }, () => {
  test("enabled = false: no X-Spam-* fields, spam filed in INBOX", async () => {
    const ts = await startTestServer({
      users: [{ address: "carol@example.test", password: testPassword }],
      config: { spam: { enabled: false } },
    });
    try {
      const c = await promisify(execFile)("swaks", [
        "--server",
        `127.0.0.1:${ts.ports.smtp}`,
        "--to",
        "carol@example.test",
        "--from",
        "dave@remote.test",
        "--header",
        "Subject: off-exe",
        "--attach",
        "@/dev/null",
      ]).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? "" }));
      assert.match(c.stdout, /<- {2}250 /);
      const box = (await ts.store.mail.listMailboxes(ts.users[0]!.id)).find((b) => b.name === "INBOX")!;
      const [m] = await ts.store.mail.listMessages(box.id);
      const text = (await ts.store.mail.readBody(m!.blobId)).toString("utf8");
      assert.match(text, /Subject: off-exe/);
      assert.doesNotMatch(text, /^X-Spam-/m);
    } finally {
      await ts.stop();
    }
  });
});
