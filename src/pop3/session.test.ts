// POP3 sessions driven over real sockets with an exact-bytes client (test-client.ts).
// One server for the file; every test uses its own account, so none depends on another.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type LockService, MemoryLocks } from "../store/locks.js";
import type { TestServer } from "../testing/harness.js";
import { Pop3TestClient, unstuff } from "./test-client.js";
import { deliverTo, inboxOf, message, startPop3TestServer, tricky } from "./test-server.js";

const PASSWORD = "correct horse battery staple";

type User = { id: number; address: string };

describe("pop3 session (plaintext allowed)", () => {
  let server: TestServer;
  let next = 0;
  const names = Array.from({ length: 20 }, (_, i) => `u${i}@example.test`);

  before(async () => {
    server = await startPop3TestServer({
      config: { pop3: { allowPlaintextAuth: true } },
      users: names.map((address) => ({ address, password: PASSWORD })),
    });
  });
  after(async () => {
    await server.stop();
  });

  const freshUser = (): User => {
    const u = server.users[next++];
    if (!u) throw new Error("add more test users");
    return u;
  };

  async function connect(): Promise<Pop3TestClient> {
    const c = await Pop3TestClient.connect(server.ports.pop3);
    assert.match(await c.readLine(), /^\+OK /);
    return c;
  }

  async function loggedIn(user: User): Promise<Pop3TestClient> {
    const c = await connect();
    assert.equal(await c.cmd(`USER ${user.address}`), "+OK send PASS");
    assert.equal(await c.cmd(`PASS ${PASSWORD}`), "+OK logged in");
    return c;
  }

  async function uidsOf(user: User): Promise<number[]> {
    const box = await inboxOf(server, user.id);
    return (await server.store.mail.listMessages(box)).map((m) => m.uid);
  }

  test("RETR sends the stored message byte for byte; LIST/STAT/RETR give its unstuffed octets (RFC 1939 §11)", async () => {
    const u = freshUser();
    await deliverTo(server, u.id, tricky);
    const c = await loggedIn(u);
    try {
      const r = await c.multi("RETR 1");
      const sent = r.body!;
      // Three lines start with "." in `tricky`: the wire has three octets more than the message.
      assert.equal(sent.length, tricky.length + 3);
      assert.equal(r.first, `+OK ${tricky.length} octets`);
      assert.deepEqual(unstuff(sent), tricky);
      assert.ok(sent.includes(Buffer.from("\r\n..leading dot\r\n...two dots\r\n..\r\n")));
      assert.equal(await c.cmd("LIST 1"), `+OK 1 ${tricky.length}`);
      assert.equal(await c.cmd("STAT"), `+OK 1 ${tricky.length}`);
      const list = await c.multi("LIST");
      assert.equal(list.first, "+OK 1 messages");
      assert.equal(list.body!.toString(), `1 ${tricky.length}\r\n`);
      assert.equal(await c.cmd("QUIT"), "+OK bye");
    } finally {
      c.close();
    }
  });

  test("TOP gives the header, the blank line and n body lines; TOP 0 only the header", async () => {
    const u = freshUser();
    const body = message("top", ["one", ".two", "three", "four"]);
    await deliverTo(server, u.id, body);
    const c = await loggedIn(u);
    try {
      const headerEnd = body.indexOf("\r\n\r\n") + 4;
      const t2 = await c.multi("TOP 1 2");
      assert.equal(t2.first, "+OK top of message follows");
      assert.equal(t2.body!.toString(), body.subarray(0, headerEnd).toString() + "one\r\n..two\r\n");
      const t0 = await c.multi("TOP 1 0");
      assert.equal(t0.body!.toString(), body.subarray(0, headerEnd).toString());
      const all = await c.multi("TOP 1 100");
      assert.deepEqual(unstuff(all.body!), body);
      assert.match(await c.cmd("TOP 1"), /^-ERR syntax/);
      assert.match(await c.cmd("TOP 2 1"), /^-ERR no such message/);
    } finally {
      c.close();
    }
  });

  test("UIDL ids are <uidvalidity>.<uid>, listed and single", async () => {
    const u = freshUser();
    await deliverTo(server, u.id, message("a"));
    await deliverTo(server, u.id, message("b"));
    const box = await server.store.mail.getMailbox(u.id, "INBOX");
    const uids = await uidsOf(u);
    const c = await loggedIn(u);
    try {
      const r = await c.multi("UIDL");
      assert.equal(
        r.body!.toString(),
        `1 ${box!.uidValidity}.${uids[0]}\r\n2 ${box!.uidValidity}.${uids[1]}\r\n`,
      );
      assert.equal(await c.cmd("UIDL 2"), `+OK 2 ${box!.uidValidity}.${uids[1]}`);
      assert.equal(await c.cmd("UIDL 3"), "-ERR no such message");
    } finally {
      c.close();
    }
  });

  test("DELE then QUIT removes the message; numbers stay fixed during the session", async () => {
    const u = freshUser();
    await deliverTo(server, u.id, message("one"));
    await deliverTo(server, u.id, message("two"));
    const [, keep] = await uidsOf(u);
    const c = await loggedIn(u);
    assert.equal(await c.cmd("DELE 1"), "+OK message 1 deleted");
    assert.equal(await c.cmd("DELE 1"), "-ERR message already deleted");
    assert.equal(await c.cmd("RETR 1"), "-ERR message already deleted");
    assert.equal(await c.cmd("LIST 1"), "-ERR message already deleted");
    assert.match(await c.cmd("STAT"), /^\+OK 1 \d+$/);
    assert.match((await c.multi("LIST")).body!.toString(), /^2 \d+\r\n$/);
    assert.equal(await c.cmd("QUIT"), "+OK bye, 1 message deleted");
    assert.ok(await c.waitClosed());
    assert.deepEqual(await uidsOf(u), [keep]);
  });

  test("DELE then RSET keeps the message", async () => {
    const u = freshUser();
    await deliverTo(server, u.id, message("keep"));
    const before = await uidsOf(u);
    const c = await loggedIn(u);
    assert.equal(await c.cmd("DELE 1"), "+OK message 1 deleted");
    assert.equal(await c.cmd("RSET"), "+OK maildrop has 1 messages");
    assert.match(await c.cmd("LIST 1"), /^\+OK 1 \d+$/);
    assert.equal(await c.cmd("QUIT"), "+OK bye");
    assert.ok(await c.waitClosed());
    assert.deepEqual(await uidsOf(u), before);
  });

  test("DELE then a dropped connection keeps the message and frees the lock", async () => {
    const u = freshUser();
    await deliverTo(server, u.id, message("drop"));
    const before = await uidsOf(u);
    const c = await loggedIn(u);
    assert.equal(await c.cmd("DELE 1"), "+OK message 1 deleted");
    c.close();
    // The server notices the close and releases the maildrop: a new login succeeds.
    let again: Pop3TestClient | null = null;
    for (let i = 0; i < 50 && !again; i++) {
      const c2 = await connect();
      await c2.cmd(`USER ${u.address}`);
      const r = await c2.cmd(`PASS ${PASSWORD}`);
      if (r.startsWith("+OK")) again = c2;
      else {
        assert.match(r, /^-ERR \[IN-USE\]/);
        c2.close();
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    assert.ok(again);
    assert.match(await again.cmd("STAT"), /^\+OK 1 \d+$/);
    again.close();
    assert.deepEqual(await uidsOf(u), before);
  });

  test("a second login to the same maildrop gets [IN-USE]; other accounts are not affected", async () => {
    const u = freshUser();
    const other = freshUser();
    const first = await loggedIn(u);
    const second = await connect();
    const third = await loggedIn(other);
    try {
      await second.cmd(`USER ${u.address}`);
      assert.equal(
        await second.cmd(`PASS ${PASSWORD}`),
        "-ERR [IN-USE] maildrop already locked by another POP3 session",
      );
      // Still in AUTHORIZATION: the client may try again later on the same connection.
      assert.equal(await second.cmd("STAT"), "-ERR STAT not allowed now");
      assert.equal(await first.cmd("QUIT"), "+OK bye");
      await first.waitClosed();
      await second.cmd(`USER ${u.address}`);
      assert.equal(await second.cmd(`PASS ${PASSWORD}`), "+OK logged in");
    } finally {
      first.close();
      second.close();
      third.close();
    }
  });

  test("a message expunged by another session: RETR says -ERR, the session goes on", async () => {
    const u = freshUser();
    await deliverTo(server, u.id, message("gone"));
    await deliverTo(server, u.id, message("stays"));
    const [gone, stays] = await uidsOf(u);
    const c = await loggedIn(u);
    try {
      assert.match(await c.cmd("STAT"), /^\+OK 2 \d+$/);
      // What an IMAP EXPUNGE does to the store.
      await server.store.mail.expunge(await inboxOf(server, u.id), [gone!]);
      assert.equal(await c.cmd("RETR 1"), "-ERR message was removed by another session");
      assert.equal(await c.cmd("TOP 1 0"), "-ERR message was removed by another session");
      assert.match((await c.multi("RETR 2")).first, /^\+OK \d+ octets$/);
      assert.equal(await c.cmd("DELE 1"), "+OK message 1 deleted");
      assert.equal(await c.cmd("QUIT"), "+OK bye");
    } finally {
      c.close();
    }
    assert.deepEqual(await uidsOf(u), [stays]);
  });

  test("RETR flags \\Seen (markSeenOnRetr), TOP does not", async () => {
    const u = freshUser();
    await deliverTo(server, u.id, message("seen"));
    await deliverTo(server, u.id, message("unseen"));
    const c = await loggedIn(u);
    try {
      await c.multi("RETR 1");
      await c.multi("TOP 2 1");
      assert.equal(await c.cmd("QUIT"), "+OK bye");
    } finally {
      c.close();
    }
    const msgs = await server.store.mail.listMessages(await inboxOf(server, u.id));
    assert.deepEqual(
      msgs.map((m) => m.flags.includes("\\Seen")),
      [true, false],
    );
  });

  test("RETR writes \\Seen only for messages not yet seen, once per message", async () => {
    const u = freshUser();
    await deliverTo(server, u.id, message("read before"));
    await deliverTo(server, u.id, message("new"));
    const box = await inboxOf(server, u.id);
    const [first] = await server.store.mail.listMessages(box);
    await server.store.mail.setFlags(box, [first!.uid], { mode: "add", flags: ["\\Seen"] });
    const mail = server.store.mail;
    const real = mail.setFlags;
    const written: number[][] = [];
    mail.setFlags = (mailboxId, uids, update) => {
      if (mailboxId === box) written.push([...uids]);
      return real.call(mail, mailboxId, uids, update);
    };
    try {
      const c = await loggedIn(u);
      try {
        await c.multi("RETR 1");
        await c.multi("RETR 2");
        await c.multi("RETR 2");
        assert.equal(await c.cmd("QUIT"), "+OK bye");
      } finally {
        c.close();
      }
    } finally {
      mail.setFlags = real;
    }
    const second = (await server.store.mail.listMessages(box))[1]!;
    assert.deepEqual(written, [[second.uid]]);
    assert.ok(second.flags.includes("\\Seen"));
  });

  test("\\Seen flags of RETR'd messages are written even when the client drops without QUIT", async () => {
    const u = freshUser();
    for (const s of ["d1", "d2", "d3"]) await deliverTo(server, u.id, message(s));
    const c = await loggedIn(u);
    await c.multi("RETR 1");
    await c.multi("RETR 3");
    c.close();
    const box = await inboxOf(server, u.id);
    let seen: boolean[] = [];
    for (let i = 0; i < 100; i++) {
      seen = (await server.store.mail.listMessages(box)).map((m) => m.flags.includes("\\Seen"));
      if (seen[0] && seen[2]) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(seen, [true, false, true]);
  });

  test("messages delivered during a session wait for the next one", async () => {
    const u = freshUser();
    await deliverTo(server, u.id, message("first"));
    const c = await loggedIn(u);
    try {
      await deliverTo(server, u.id, message("later"));
      assert.match(await c.cmd("STAT"), /^\+OK 1 \d+$/);
      assert.equal(await c.cmd("RETR 2"), "-ERR no such message");
    } finally {
      c.close();
    }
  });

  test("errors: unknown command, wrong state, bad arguments, long line, empty line", async () => {
    const u = freshUser();
    const c = await connect();
    try {
      assert.equal(await c.cmd("FOO"), "-ERR unknown command FOO");
      assert.equal(await c.cmd("APOP a b"), "-ERR unknown command APOP");
      assert.equal(await c.cmd(""), "-ERR unknown command (empty)");
      assert.equal(await c.cmd("RETR 1"), "-ERR RETR not allowed now");
      assert.equal(await c.cmd("PASS x"), "-ERR send USER first");
      assert.equal(await c.cmd("x".repeat(5000)), "-ERR line too long (limit 1024 octets)");
      assert.equal(await c.cmd(`USER ${u.address}`), "+OK send PASS");
      assert.equal(await c.cmd(`PASS ${PASSWORD}`), "+OK logged in");
      assert.equal(await c.cmd("RETR"), "-ERR syntax: RETR msg");
      assert.equal(await c.cmd("RETR 0"), "-ERR syntax: RETR msg");
      assert.equal(await c.cmd("RETR -1"), "-ERR syntax: RETR msg");
      assert.equal(await c.cmd("RETR 1"), "-ERR no such message");
      assert.equal(await c.cmd("USER x"), "-ERR USER not allowed now");
      assert.equal(await c.cmd("noop"), "+OK");
      assert.equal(await c.cmd("STAT"), "+OK 0 0");
      assert.equal((await c.multi("LIST")).body!.length, 0);
    } finally {
      c.close();
    }
  });

  test("pipelined commands are answered in order", async () => {
    const u = freshUser();
    await deliverTo(server, u.id, message("p1"));
    await deliverTo(server, u.id, message("p2"));
    const c = await connect();
    try {
      c.send(`USER ${u.address}\r\nPASS ${PASSWORD}\r\nSTAT\r\nUIDL 1\r\nTOP 2 0\r\nNOOP\r\nQUIT`);
      assert.equal(await c.readLine(), "+OK send PASS");
      assert.equal(await c.readLine(), "+OK logged in");
      assert.match(await c.readLine(), /^\+OK 2 \d+$/);
      assert.match(await c.readLine(), /^\+OK 1 \d+\.\d+$/);
      assert.equal(await c.readLine(), "+OK top of message follows");
      assert.match((await c.readBody()).toString(), /Subject: p2\r\n/);
      assert.equal(await c.readLine(), "+OK");
      assert.equal(await c.readLine(), "+OK bye");
      assert.ok(await c.waitClosed());
    } finally {
      c.close();
    }
  });

  test("AUTH PLAIN with an initial response, with a continuation, and cancelled", async () => {
    const u = freshUser();
    const creds = Buffer.from(`\0${u.address}\0${PASSWORD}`).toString("base64");
    const c1 = await connect();
    const c2 = await connect();
    try {
      const mechs = await c1.multi("AUTH");
      assert.equal(mechs.body!.toString(), "PLAIN\r\n");
      assert.equal(await c1.cmd("AUTH PLAIN"), "+ ");
      assert.equal(await c1.cmd("*"), "-ERR authentication cancelled");
      assert.equal(await c1.cmd("AUTH CRAM-MD5"), "-ERR unsupported SASL mechanism CRAM-MD5");
      assert.equal(await c1.cmd("AUTH PLAIN"), "+ ");
      assert.equal(await c1.cmd("not base64!"), "-ERR [AUTH] malformed SASL response");
      assert.equal(await c1.cmd("AUTH PLAIN"), "+ ");
      assert.equal(await c1.cmd(creds), "+OK logged in");
      assert.equal(await c1.cmd("QUIT"), "+OK bye");
      assert.equal(await c2.cmd(`AUTH PLAIN ${creds}`), "+OK logged in");
    } finally {
      c1.close();
      c2.close();
    }
  });

  test("CAPA lists the real capabilities in each state", async () => {
    const u = freshUser();
    const c = await connect();
    try {
      const before = await c.multi("CAPA");
      assert.equal(
        before.body!.toString(),
        "TOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\nEXPIRE NEVER\r\nSTLS\r\nUSER\r\nSASL PLAIN\r\nIMPLEMENTATION Yubin\r\n",
      );
      await c.login(u.address, PASSWORD);
      const afterLogin = await c.multi("CAPA");
      assert.equal(
        afterLogin.body!.toString(),
        "TOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\nEXPIRE NEVER\r\nIMPLEMENTATION Yubin\r\n",
      );
    } finally {
      c.close();
    }
  });
});

describe("pop3 QUIT and a lock service slow to release (Redis, the workers' supervisor)", () => {
  const address = "slow@example.test";
  let server: TestServer;
  const released: string[] = [];
  // MemoryLocks whose release takes 150 ms, as a remote lock service's round trip may.
  const inner = new MemoryLocks();
  const locks: LockService = {
    async acquire(name) {
      const h = await inner.acquire(name);
      if (!h) return null;
      return {
        get held() {
          return h.held;
        },
        async release() {
          await new Promise((r) => setTimeout(r, 150));
          released.push(name);
          await h.release();
        },
      };
    },
    close: () => inner.close(),
  };

  before(async () => {
    server = await startPop3TestServer({
      config: { pop3: { allowPlaintextAuth: true } },
      users: [{ address, password: PASSWORD }],
      locks,
    });
  });
  after(async () => {
    await server.stop();
  });

  test("QUIT gives up the maildrop before its +OK: a login right after it is not [IN-USE]", async () => {
    const id = server.users[0]!.id;
    await deliverTo(server, id, message("quit then again"));
    const first = await Pop3TestClient.connect(server.ports.pop3);
    const second = await Pop3TestClient.connect(server.ports.pop3);
    try {
      assert.match(await first.readLine(), /^\+OK /);
      assert.match(await second.readLine(), /^\+OK /);
      assert.equal(await first.login(address, PASSWORD), "+OK logged in");
      assert.equal(await second.cmd(`USER ${address}`), "+OK send PASS");
      assert.equal(await first.cmd("QUIT"), "+OK bye");
      assert.deepEqual(released, [`pop3:maildrop:${id}`]);
      assert.equal(await second.cmd(`PASS ${PASSWORD}`), "+OK logged in");
      assert.match(await second.cmd("STAT"), /^\+OK 1 \d+$/);
    } finally {
      first.close();
      second.close();
    }
  });
});
