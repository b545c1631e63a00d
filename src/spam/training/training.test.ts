// Training from what users do, with real clients: an imapflow MOVE into Junk and the next similar
// message over SMTP is spam; Thunderbird's $Junk/$NotJunk keywords (STORE) train; a JMAP
// Email/set moving a message into Junk and back out trains spam then ham; our own filter's
// delivery into Junk, an APPEND into Junk and a move from Junk into Trash never train.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import type { startJmapTest } from "../../jmap/test-support.js";
import { startJmapTest as startJmap } from "../../jmap/test-support.js";
import type { Filter } from "../../postoffice/types.js";
import type { SpamClass } from "../../store/types.js";
import { testPassword } from "../../testing/harness.js";
import { classify } from "../classifier/classify.js";
import { messageTokens } from "../classifier/tokens.js";
import { trainMessage } from "../classifier/train.js";
import { buildMessageView } from "../message-view.js";

const ALICE = "alice@example.test";
const spamStatus = (body: Buffer) => /^X-Spam-Status: ([^\r\n]*)/m.exec(body.toString("latin1"))?.[1] ?? "";

/** A deterministic pick of words, so each sample differs but the vocabulary is the topic's. */
function words(vocab: string[], seed: number, n: number): string {
  const out: string[] = [];
  let x = seed * 7919 + 13;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out.push(vocab[x % vocab.length]!);
  }
  return out.join(" ");
}
const PHARMA =
  "cheap pills pharmacy viagra casino jackpot winner prize bonus unsubscribe discount offer limited click".split(
    " ",
  );
const WORK =
  "meeting agenda project report quarterly review lunch schedule thanks draft attached budget team notes".split(
    " ",
  );
const SOLAR =
  "solar panels installation rebate zero cost roof savings quote energy government grant homeowners qualify".split(
    " ",
  );

function message(o: { from: string; subject: string; text: string; id: string }): string {
  return (
    `From: <${o.from}>\r\nTo: <${ALICE}>\r\nSubject: ${o.subject}\r\n` +
    `Date: ${new Date().toUTCString().replace("GMT", "+0000")}\r\nMessage-ID: <${o.id}@training.test>\r\n` +
    `Content-Type: text/plain; charset=utf-8\r\n\r\n${o.text}\r\n`
  );
}
const solar = (n: number) =>
  message({
    from: `deals${n}@solar-offers.example`,
    subject: `Solar rebate ${words(SOLAR, n, 3)}`,
    text: words(SOLAR, n + 100, 60),
    id: `solar${n}`,
  });
const work = (n: number) =>
  message({
    from: "carol@partner.example",
    subject: `Project ${words(WORK, n, 3)}`,
    text: words(WORK, n + 100, 60),
    id: `work${n}`,
  });

/** Our own filter's decision, standing in for the spam filter: "junk-me" goes to Junk. */
const junkFilter: Filter = {
  name: "test-junk",
  check: (m) =>
    m.body.toString("latin1").includes("Subject: junk-me")
      ? { kind: "accept", folders: m.accountIds.map((accountId) => ({ accountId, folder: "junk" as const })) }
      : { kind: "accept" },
};

describe("training from users' actions", () => {
  let t: Awaited<ReturnType<typeof startJmapTest>>;
  let alice: number;
  const clients: ImapFlow[] = [];

  before(async () => {
    // The filter on (the harness turns it off for other tests): training is part of it.
    t = await startJmap(0, { filters: [junkFilter], config: { spam: { enabled: true } } });
    alice = t.user.id;
    // A global model trained a little (the admin's corpus): 25 spam and 25 ham of other topics.
    for (let n = 0; n < 25; n++) {
      const spam = message({
        from: `x${n}@pharma.example`,
        subject: words(PHARMA, n, 4),
        text: words(PHARMA, n + 50, 60),
        id: `p${n}`,
      });
      await trainMessage(t.ts.store.spam, {
        accountId: 0,
        key: `p${n}`,
        as: "spam",
        body: Buffer.from(spam),
      });
      await trainMessage(t.ts.store.spam, {
        accountId: 0,
        key: `w${n}`,
        as: "ham",
        body: Buffer.from(work(n + 1000)),
      });
    }
  });
  after(async () => {
    for (const c of clients) await c.logout().catch(() => c.close());
    await t?.close();
  });

  async function imap(): Promise<ImapFlow> {
    const c = new ImapFlow({
      host: "127.0.0.1",
      port: t.ts.ports.imaps!,
      secure: true,
      auth: { user: ALICE, pass: testPassword },
      tls: { rejectUnauthorized: false },
      logger: false,
    });
    clients.push(c);
    await c.connect();
    return c;
  }

  /** Delivers over SMTP to port 25, as the Internet does. */
  async function smtp(raw: string): Promise<void> {
    const tr = nodemailer.createTransport({
      host: "127.0.0.1",
      port: t.ts.ports.smtp,
      secure: false,
      ignoreTLS: true,
    });
    try {
      await tr.sendMail({ envelope: { from: "sender@elsewhere.example", to: [ALICE] }, raw });
    } finally {
      tr.close();
    }
  }

  /** Alice's message whose Message-ID is this, with its mailbox's special use and its uid. */
  async function find(id: string) {
    for (const box of await t.ts.store.mail.listMailboxes(alice)) {
      for (const m of await t.ts.store.mail.listMessages(box.id)) {
        const body = await t.ts.store.mail.readBody(m.blobId);
        if (body.includes(`Message-ID: <${id}@training.test>`))
          return { box, uid: m.uid, key: m.blobId, id: m.id, body, flags: m.flags };
      }
    }
    throw new Error(`no message ${id}`);
  }

  /** Training runs after the client's OK (off the request path): wait for it, bounded. */
  async function trainedAs(key: string, want: SpamClass | null): Promise<void> {
    let got: SpamClass | null = null;
    for (let i = 0; i < 500; i++) {
      got = await t.ts.store.spam.trainedAs(alice, key);
      if (got === want) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(got, want, `trained as ${want} within 10 s`);
  }

  const probability = async (body: Buffer) =>
    (await classify(t.ts.store.spam, { accountId: alice }, messageTokens(buildMessageView(body))))
      .probability;

  test("imapflow moves a message to Junk: trained spam, and the next similar message is classified spam", async () => {
    await smtp(solar(1));
    const first = await find("solar1");
    assert.equal(first.box.name, "INBOX");
    assert.match(spamStatus(first.body), /^No, /);
    const before = await probability(Buffer.from(solar(2)));
    assert.ok(before < 0.9, `a topic the model never saw is not spam yet (${before})`);

    const c = await imap();
    const lock = await c.getMailboxLock("INBOX");
    try {
      const moved = await c.messageMove(String(first.uid), "Junk", { uid: true });
      assert.ok(moved);
    } finally {
      lock.release();
    }
    await trainedAs(first.key, "spam");

    await smtp(solar(2));
    const next = await find("solar2");
    const after = await probability(next.body);
    assert.ok(after >= 0.999, `the next similar message is spam (${after}, was ${before})`);
    // The filter's verdict on it (src/spam/filter.ts): the classifier's BAYES_99 (p ≥ 0.999 is
    // over 6.4 points, src/spam/rules/bayes.ts) files it into Junk.
    assert.equal(next.box.specialUse, "\\Junk");
    assert.match(spamStatus(next.body), /^Yes, .*tests=.*BAYES_99=/);
    assert.ok((await probability(Buffer.from(work(5)))) < 0.1, "and a work message is still ham");
  });

  test("Thunderbird-style keywords: STORE +FLAGS ($Junk) trains spam, $NotJunk retrains ham", async () => {
    // Work mail (ham to the model): the filter files it into the inbox.
    await smtp(work(10));
    const m = await find("work10");
    assert.equal(m.box.name, "INBOX");
    const c = await imap();
    const lock = await c.getMailboxLock("INBOX");
    try {
      await c.messageFlagsAdd(String(m.uid), ["$Junk"], { uid: true });
      await trainedAs(m.key, "spam");
      // Thunderbird's "Not Junk": $NotJunk set, $Junk removed.
      await c.messageFlagsAdd(String(m.uid), ["$NotJunk"], { uid: true });
      await c.messageFlagsRemove(String(m.uid), ["$Junk"], { uid: true });
      await trainedAs(m.key, "ham");
      // Apple Mail's spellings, "Junk" and "NotJunk", train as well.
      await c.messageFlagsRemove(String(m.uid), ["$NotJunk"], { uid: true });
      await c.messageFlagsAdd(String(m.uid), ["Junk"], { uid: true });
      await trainedAs(m.key, "spam");
      await c.messageFlagsRemove(String(m.uid), ["Junk"], { uid: true });
      await c.messageFlagsAdd(String(m.uid), ["NotJunk"], { uid: true });
      await trainedAs(m.key, "ham");
    } finally {
      lock.release();
    }
  });

  test("JMAP Email/set: mailboxIds into Junk trains spam, back out ham; keywords $junk/$notjunk too", async () => {
    await smtp(work(20));
    const m = await find("work20");
    const boxes = await t.ts.store.mail.listMailboxes(alice);
    const junk = boxes.find((b) => b.specialUse === "\\Junk")!;
    const inbox = boxes.find((b) => b.name === "INBOX")!;
    const update = async (patch: Record<string, unknown>) => {
      const r = await t.first([
        ["Email/set", { accountId: t.accountId, update: { [`M${m.id}`]: patch } }, "0"],
      ]);
      assert.deepEqual(r.notUpdated ?? null, null);
      assert.ok(`M${m.id}` in r.updated);
    };
    await update({ mailboxIds: { [`F${junk.id}`]: true } });
    await trainedAs(m.key, "spam");
    await update({ mailboxIds: { [`F${inbox.id}`]: true } });
    await trainedAs(m.key, "ham");
    // The keyword by JMAP (RFC 8621 keywords are lower-case): $junk trains spam, $notjunk ham.
    await update({ "keywords/$junk": true });
    await trainedAs(m.key, "spam");
    await update({ "keywords/$junk": null, "keywords/$notjunk": true });
    await trainedAs(m.key, "ham");
  });

  test("never trained: our filter's delivery into Junk, an APPEND into Junk, Junk → Trash", async () => {
    await smtp(
      message({ from: "a@b.example", subject: "junk-me", text: words(SOLAR, 7, 30), id: "filtered" }),
    );
    const filtered = await find("filtered");
    assert.equal(filtered.box.specialUse, "\\Junk", "the filter filed it");
    const c = await imap();
    await c.append(
      "Junk",
      message({ from: "a@b.example", subject: "uploaded", text: "x y z", id: "appended" }),
    );
    const appended = await find("appended");
    await smtp(work(30));
    const inboxed = await find("work30");
    const lock = await c.getMailboxLock("Junk");
    try {
      await c.messageMove(String(filtered.uid), "Trash", { uid: true });
    } finally {
      lock.release();
    }
    // The trainer works through events in order: once a later move has trained, the earlier
    // events were looked at.
    await smtp(work(31));
    const sentinel = await find("work31");
    assert.equal(sentinel.box.name, "INBOX");
    const inboxLock = await c.getMailboxLock("INBOX");
    try {
      await c.messageMove(String(sentinel.uid), "Junk", { uid: true });
    } finally {
      inboxLock.release();
    }
    await trainedAs(sentinel.key, "spam");
    assert.equal(await t.ts.store.spam.trainedAs(alice, filtered.key), null);
    assert.equal(await t.ts.store.spam.trainedAs(alice, appended.key), null);
    assert.equal(await t.ts.store.spam.trainedAs(alice, inboxed.key), null, "delivered, untouched");
  });
});
