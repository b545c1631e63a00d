// The IMAP source read directly (no engine): folders with roles, subscriptions and STATUS, and
// messages with flags, keywords, internal dates and byte-identical bodies, from a Yubin test
// server that imapflow filled by APPEND; resuming after a UID; the size cap; a wrong password.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ImapFlow } from "imapflow";
import { startTestServer, type TestServer } from "../../testing/harness.js";
import type { ImportSource, SourceFailure, SourceFolder, SourceMessage } from "../types.js";
import { ImapSourceError, openImapSource } from "./source.js";

const ALICE = "alice@example.test";
const PASSWORD = "alice source password 1";

export function message(n: number, extra = ""): Buffer {
  return Buffer.from(
    `From: someone${n}@example.org\r\nTo: ${ALICE}\r\nSubject: message ${n}\r\nMessage-ID: <m${n}@example.org>\r\n\r\nbody ${n}\r\n${extra}`,
  );
}

async function drain(folder: SourceFolder, after: string | null = null) {
  const out: (SourceMessage | SourceFailure)[] = [];
  for await (const m of folder.messages(after)) out.push(m);
  return out;
}

async function allFolders(source: ImportSource): Promise<SourceFolder[]> {
  const out: SourceFolder[] = [];
  for await (const f of source.folders()) out.push(f);
  return out;
}

describe("IMAP source against a Yubin server", () => {
  let srv: TestServer;
  let client: ImapFlow;
  const appended: { box: string; body: Buffer; flags: string[]; date: Date; uid: number }[] = [];

  before(async () => {
    srv = await startTestServer({ users: [{ address: ALICE, password: PASSWORD }] });
    client = new ImapFlow({
      host: "127.0.0.1",
      port: srv.ports.imaps!,
      secure: true,
      tls: { ca: srv.certPem, servername: "mail.example.test" },
      auth: { user: ALICE, pass: PASSWORD },
      logger: false,
    });
    await client.connect();
    await client.mailboxCreate("Work");
    await client.mailboxCreate("Work/Projects");
    await client.mailboxSubscribe("Work/Projects");
    await client.mailboxUnsubscribe("Work").catch(() => undefined);
    const plan: [string, string[], number][] = [
      ["INBOX", ["\\Seen"], 1],
      ["INBOX", ["\\Flagged", "$Label1", "\\Deleted"], 2],
      ["INBOX", [], 3],
      ["Work/Projects", ["\\Answered", "\\Seen", "Project-X"], 4],
      ["Sent", ["\\Seen"], 5],
    ];
    for (const [box, flags, n] of plan) {
      const date = new Date(Date.UTC(2020, n, n, 10, 20, 30));
      const body = message(n, n === 3 ? "\xa0 raw 8bit \r\n" : "");
      const r = await client.append(box, body, flags, date);
      if (!r || r.uid === undefined) throw new Error("APPEND gave no UID");
      appended.push({ box, body, flags, date, uid: r.uid });
    }
  });
  after(async () => {
    await client?.logout().catch(() => undefined);
    await srv?.stop();
  });

  const open = (extra: Partial<Parameters<typeof openImapSource>[0]> = {}) =>
    openImapSource({
      host: "127.0.0.1",
      port: srv.ports.imaps!,
      tls: "implicit",
      ca: srv.certPem,
      servername: "mail.example.test",
      user: ALICE,
      password: PASSWORD,
      ...extra,
    });

  test("folders: every selectable one with its role, subscription and STATUS", async () => {
    const source = await open();
    try {
      assert.equal(source.id, `imap:${ALICE}@127.0.0.1`);
      const folders = await allFolders(source);
      const by = new Map(folders.map((f) => [f.name, f]));
      assert.ok(by.has("INBOX") && by.has("Work") && by.has("Work/Projects"), [...by.keys()].join(","));
      assert.equal(by.get("Sent")!.specialUse, "\\Sent");
      assert.equal(by.get("INBOX")!.specialUse, null);
      assert.equal(by.get("Work/Projects")!.subscribed, true);
      assert.equal(by.get("Work")!.subscribed, false);
      const inbox = by.get("INBOX")!;
      const status = await client.status("INBOX", { uidValidity: true, uidNext: true });
      assert.ok(status);
      assert.equal(inbox.uidValidity, Number(status.uidValidity));
      assert.equal(inbox.uidNext, status.uidNext);
      assert.equal(inbox.count, 3);
      const inboxBytes = appended.filter((a) => a.box === "INBOX").reduce((n, a) => n + a.body.length, 0);
      assert.equal(inbox.bytes, inboxBytes);
      assert.equal(by.get("Work")!.count, 0);
    } finally {
      await source.close();
    }
  });

  test("messages: UID order, flags and keywords (\\Deleted kept), internal dates, byte-identical", async () => {
    const source = await open();
    try {
      const folders = await allFolders(source);
      for (const box of ["INBOX", "Work/Projects", "Sent"]) {
        const f = folders.find((x) => x.name === box)!;
        const got = (await drain(f)) as SourceMessage[];
        const want = appended.filter((a) => a.box === box);
        assert.equal(got.length, want.length, box);
        for (const [i, m] of got.entries()) {
          const w = want[i]!;
          assert.equal(m.uid, w.uid);
          assert.equal(m.position, String(w.uid));
          assert.ok(m.body.equals(w.body), `${box} UID ${w.uid} body`);
          assert.deepEqual([...m.flags].sort(), [...w.flags].sort());
          assert.equal(m.internalDate.getTime(), w.date.getTime());
        }
      }
    } finally {
      await source.close();
    }
  });

  test("resume: messages(after) starts after that UID; nothing is marked \\Seen on the source", async () => {
    const source = await open();
    try {
      const inbox = (await allFolders(source)).find((f) => f.name === "INBOX")!;
      const uids = appended.filter((a) => a.box === "INBOX").map((a) => a.uid);
      const rest = (await drain(inbox, String(uids[0]))) as SourceMessage[];
      assert.deepEqual(
        rest.map((m) => m.uid),
        uids.slice(1),
      );
      assert.deepEqual(await drain(inbox, String(uids[2])), []);
      const lock = await client.getMailboxLock("INBOX");
      try {
        const flags = await client.fetchOne(String(uids[2]), { flags: true }, { uid: true });
        assert.ok(flags && !flags.flags?.has("\\Seen"));
      } finally {
        lock.release();
      }
    } finally {
      await source.close();
    }
  });

  test("a message over the cap is a failure, not downloaded; the rest comes", async () => {
    const source = await open({ maxMessageBytes: appended[0]!.body.length + 1 });
    try {
      const inbox = (await allFolders(source)).find((f) => f.name === "INBOX")!;
      const got = await drain(inbox);
      assert.equal(got.length, 3);
      const failed = got.filter((m): m is SourceFailure => "failed" in m);
      assert.ok(failed.length >= 1);
      assert.match(failed[0]!.reason, /larger than the \d+ allowed \(not downloaded\)/);
      assert.deepEqual(
        got.map((m) => m.position),
        appended.filter((a) => a.box === "INBOX").map((a) => String(a.uid)),
      );
    } finally {
      await source.close();
    }
  });

  test("folder filter: include with a subtree, exclude", async () => {
    const source = await open({ folders: { include: ["Work/*", "inbox"], exclude: ["Work/Projects"] } });
    try {
      assert.deepEqual((await allFolders(source)).map((f) => f.name).sort(), ["INBOX", "Work"]);
    } finally {
      await source.close();
    }
  });

  test("a folder deleted between LIST and its turn is a failure; the others still come", async () => {
    await client.mailboxCreate("Gone soon");
    const source = await open();
    try {
      const folders = await allFolders(source);
      await client.mailboxDelete("Gone soon");
      const gone = await drain(folders.find((f) => f.name === "Gone soon")!);
      assert.equal(gone.length, 1);
      const f = gone[0] as SourceFailure;
      assert.equal(f.failed, true);
      assert.equal(f.label, "folder Gone soon");
      assert.match(f.reason, /^the server refused to open it: /);
      assert.equal((await drain(folders.find((x) => x.name === "INBOX")!)).length, 3);
    } finally {
      await source.close();
    }
  });

  test("wrong password: ImapSourceError code auth, with the server's words", async () => {
    await assert.rejects(open({ password: "wrong" }), (e: unknown) => {
      assert.ok(e instanceof ImapSourceError);
      assert.equal(e.code, "auth");
      assert.match(e.message, /refused the login of alice@example\.test/);
      return true;
    });
  });

  test("a self-signed certificate is refused unless trusted; STARTTLS on the plain port", async () => {
    await assert.rejects(
      open({ ca: undefined }),
      (e: unknown) => e instanceof ImapSourceError && e.code === "connect",
    );
    const insecure = await open({ ca: undefined, rejectUnauthorized: false });
    await insecure.close();
    const starttls = await open({ port: srv.ports.imap!, tls: "starttls" });
    assert.ok((await allFolders(starttls)).length >= 3);
    await starttls.close();
  });
});
