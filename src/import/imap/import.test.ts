// IMAP pulls end to end (openImapSource → runImport → the store), one Yubin server being both
// the old server (alice's account) and the new one (bob's): IMAP clients then see in bob's
// account what alice's holds — folders, roles, subscriptions, UIDVALIDITY and UIDs, flags and
// keywords, internal dates, bodies byte for byte. A connection cut mid-folder (a proxy that
// closes after N octets) leaves what was filed, and the re-run files the rest exactly once;
// mail arriving later comes with the next run, and only it.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import { startTestServer, type TestServer } from "../../testing/harness.js";
import { snapshot } from "../../testing/imap-snapshot.js";
import { runImport } from "../engine.js";
import { ImapSourceError, type ImapSourceOptions, openImapSource } from "./source.js";
import { startCutProxy } from "./testing/cut-proxy.js";

const ALICE = "alice@example.test";
const BOB = "bob@example.test";
const PASSWORD = "import test password 1";

function body(n: number, pad = 0): Buffer {
  return Buffer.from(
    `From: sender${n}@example.org\r\nTo: ${ALICE}\r\nSubject: bulk ${n}\r\nMessage-ID: <bulk${n}@example.org>\r\n\r\n` +
      // Random text: the session may be compressed (RFC 4978), and the proxy counts wire octets.
      `${randomBytes(pad).toString("base64")}\r\nline ${n}\r\n`,
  );
}

describe("IMAP import from a Yubin server", () => {
  let srv: TestServer;
  let alice: ImapFlow;
  const connect = async (user: string) => {
    const c = new ImapFlow({
      host: "127.0.0.1",
      port: srv.ports.imaps!,
      secure: true,
      tls: { ca: srv.certPem, servername: "mail.example.test" },
      auth: { user, pass: PASSWORD },
      logger: false,
    });
    await c.connect();
    return c;
  };
  const sourceOpts = (extra: Partial<ImapSourceOptions> = {}): ImapSourceOptions => ({
    host: "127.0.0.1",
    port: srv.ports.imaps!,
    tls: "implicit",
    ca: srv.certPem,
    servername: "mail.example.test",
    user: ALICE,
    password: PASSWORD,
    ...extra,
  });
  const pull = async (extra: Partial<ImapSourceOptions> = {}, batchMessages = 200) => {
    const source = await openImapSource(sourceOpts(extra));
    try {
      return await runImport(srv.store, srv.users[1]!.id, source, { batchMessages });
    } finally {
      await source.close();
    }
  };

  before(async () => {
    srv = await startTestServer({
      users: [
        { address: ALICE, password: PASSWORD },
        { address: BOB, password: PASSWORD },
      ],
    });
    alice = await connect(ALICE);
    await alice.mailboxCreate("Work");
    await alice.mailboxCreate("Work/Projects");
    await alice.mailboxCreate("Bulk");
    await alice.mailboxSubscribe("Work/Projects");
    await alice.mailboxUnsubscribe("Bulk");
    const plan: [string, string[]][] = [
      ["INBOX", ["\\Seen"]],
      ["INBOX", ["\\Flagged", "$Label1", "\\Deleted"]],
      ["INBOX", []],
      ["Work/Projects", ["\\Answered", "\\Seen", "Project-X"]],
      ["Sent", ["\\Seen"]],
      ["Drafts", ["\\Draft"]],
    ];
    for (const [i, [box, flags]] of plan.entries())
      await alice.append(box, body(1000 + i), flags, new Date(Date.UTC(2019, i, 3 + i, 8, 9, 10)));
    // Expunged UIDs leave holes: kept UIDs must keep them.
    await alice.mailboxOpen("INBOX");
    await alice.messageDelete("2", { uid: true });
    await alice.mailboxClose();
    await alice.append("INBOX", body(1099), ["\\Deleted", "NonJunk"], new Date(Date.UTC(2018, 1, 1)));
    // Bulk: enough mail that a connection cut lands in its middle, many batches filed before it.
    for (let n = 0; n < 120; n++)
      await alice.append(
        "Bulk",
        body(n, 1500),
        n % 3 === 0 ? ["\\Seen"] : [],
        new Date(Date.UTC(2021, 0, 1, 0, n)),
      );
  });
  after(async () => {
    await alice?.logout().catch(() => undefined);
    await srv?.stop();
  });

  test("a pull cut mid-folder keeps what was filed; the re-run files the rest exactly once", async () => {
    // Through a proxy that closes both sides once 100 KB came from the server: in Bulk (120
    // messages of 2 KB), after some batches of 10 were filed.
    const proxy = await startCutProxy({ port: srv.ports.imaps!, cutAfterBytes: 100_000 });
    try {
      await assert.rejects(pull({ port: proxy.port, groupBytes: 20_000 }, 10), (e: unknown) => {
        assert.ok(e instanceof ImapSourceError, String(e));
        assert.match(
          e.message,
          /connection to 127\.0\.0\.1:\d+ failed while .*run the same import again to continue/,
        );
        return true;
      });
    } finally {
      await proxy.close();
    }
    const bob = await connect(BOB);
    try {
      const st = await bob.status("Bulk", { messages: true }).catch(() => null);
      const partial = st ? (st.messages ?? 0) : 0;
      assert.ok(partial > 0 && partial < 120, `Bulk had ${partial} of 120 after the cut`);
    } finally {
      await bob.logout();
    }

    const summary = await pull({ groupBytes: 20_000 }, 10);
    assert.equal(summary.failed, 0, JSON.stringify(summary.failures));
    const bob2 = await connect(BOB);
    const aliceAgain = await connect(ALICE);
    try {
      const want = await snapshot(aliceAgain);
      const got = await snapshot(bob2);
      for (const [name, w] of want) {
        const g = got.get(name);
        assert.ok(g, `bob has ${name}`);
        assert.deepEqual(g, w, `${name} as an IMAP client sees it`);
      }
      assert.equal(got.get("Bulk")!.messages.length, 120);
      assert.equal(new Set(got.get("Bulk")!.messages.map((m) => m.sha)).size, 120, "no duplicates");
      assert.equal(got.get("Sent")!.specialUse, "\\Sent");
      assert.equal(got.get("Work/Projects")!.subscribed, true);
      assert.equal(got.get("Bulk")!.subscribed, false);
      // The hole alice's expunge left is kept: UID 2 does not exist in bob's INBOX either.
      assert.ok(!got.get("INBOX")!.messages.some((m) => m.uid === 2));
    } finally {
      await bob2.logout();
      await aliceAgain.logout();
    }
  });

  test("incremental: a later run brings only what arrived since", async () => {
    const again = await pull();
    assert.equal(again.imported, 0);
    assert.equal(again.duplicates, 0);
    await alice.append("INBOX", body(2001), ["$Important"], new Date(Date.UTC(2022, 5, 5)));
    await alice.append("Work", body(2002), [], new Date(Date.UTC(2022, 5, 6)));
    const next = await pull();
    assert.equal(next.imported, 2);
    const bob = await connect(BOB);
    try {
      const want = await snapshot(alice);
      const got = await snapshot(bob);
      for (const name of ["INBOX", "Work"]) assert.deepEqual(got.get(name), want.get(name), name);
    } finally {
      await bob.logout();
    }
  });

  test("wrong password: a clear error before anything is filed", async () => {
    const before = await srv.store.mail.quotaUsage(srv.users[1]!.id);
    await assert.rejects(
      openImapSource(sourceOpts({ password: "not it" })),
      (e: unknown) => e instanceof ImapSourceError && e.code === "auth",
    );
    assert.deepEqual(await srv.store.mail.quotaUsage(srv.users[1]!.id), before);
  });
});
