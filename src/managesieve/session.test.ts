// ManageSieve (RFC 5804) over a real socket with an exact-bytes client: every command, its
// errors and response codes, STARTTLS, SASL with and without an initial response, app
// passwords, limits on literals, and sessions ended by a disable. One server for the file; every
// test uses its own account, so none depends on another.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { hashPassword } from "../auth/password.js";
import { supportedExtensions } from "../sieve/index.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { plainAuth, SieveTestClient, withLiteral } from "./test-client.js";

const names = Array.from({ length: 16 }, (_, i) => `s${i}@example.test`);
const GOOD =
  'require "fileinto";\r\nif header :contains "subject" "bank" {\r\n  fileinto "Finance";\r\n}\r\n';
const BAD = 'require "fileinto";\r\nif header :contains "subject" {\r\n  fileinto "Finance";\r\n}\r\n';

function caps(opts: { sasl: string; starttls: boolean; owner?: string }): string {
  const lines = [
    '"IMPLEMENTATION" "Yubin"',
    `"SASL" "${opts.sasl}"`,
    `"SIEVE" "${[...supportedExtensions].join(" ")}"`,
  ];
  if (opts.starttls) lines.push('"STARTTLS"');
  lines.push('"MAXREDIRECTS" "4"');
  if (supportedExtensions.has("enotify")) lines.push('"NOTIFY" "mailto"');
  if (opts.owner) lines.push(`"OWNER" "${opts.owner}"`);
  lines.push('"UNAUTHENTICATE"', '"VERSION" "1.0"');
  return `${lines.join("\r\n")}\r\n`;
}

describe("ManageSieve session", () => {
  let server: TestServer;
  let next = 0;

  before(async () => {
    server = await startTestServer({
      users: names.map((address) => ({ address, password: testPassword })),
      config: { sieve: { maxScripts: 3, maxScriptBytes: 1024 }, managesieve: { maxAuthFailures: 3 } },
    });
  });
  after(() => server.stop());

  const freshUser = () => {
    const u = server.users[next++];
    if (!u) throw new Error("add more test users");
    return u;
  };

  async function connect(): Promise<SieveTestClient> {
    const c = await SieveTestClient.connect(server.ports.managesieve!);
    assert.equal(
      await c.readResponse(),
      `${caps({ sasl: "", starttls: true })}OK "Yubin ManageSieve ready"\r\n`,
    );
    return c;
  }

  async function secure(): Promise<SieveTestClient> {
    const c = await connect();
    assert.equal(await c.cmd("STARTTLS"), 'OK "Begin TLS negotiation now"\r\n');
    await c.upgrade(server.certPem);
    assert.equal(await c.readResponse(), `${caps({ sasl: "PLAIN LOGIN", starttls: false })}OK\r\n`);
    return c;
  }

  async function loggedIn(address = freshUser().address): Promise<SieveTestClient> {
    const c = await secure();
    assert.equal(await c.cmd(plainAuth(address, testPassword)), 'OK "logged in"\r\n');
    return c;
  }

  test("greeting and CAPABILITY before TLS list no SASL mechanism; AUTHENTICATE is refused (ENCRYPT-NEEDED)", async () => {
    const c = await connect();
    try {
      assert.equal(await c.cmd("CAPABILITY"), `${caps({ sasl: "", starttls: true })}OK\r\n`);
      assert.equal(
        await c.cmd(plainAuth(names[0]!, testPassword)),
        'NO (ENCRYPT-NEEDED) "authentication needs TLS: use STARTTLS first"\r\n',
      );
      assert.equal(await c.cmd("LISTSCRIPTS"), 'NO "LISTSCRIPTS needs a login first"\r\n');
    } finally {
      c.close();
    }
  });

  test("STARTTLS sends the capabilities again; AUTHENTICATE PLAIN; CAPABILITY then has OWNER and no STARTTLS", async () => {
    const u = freshUser();
    const c = await secure();
    try {
      assert.equal(await c.cmd("STARTTLS"), 'NO "TLS already active"\r\n');
      // Without [oauth] the bearer mechanisms are neither listed (secure()) nor accepted.
      for (const m of ["OAUTHBEARER", "XOAUTH2"])
        assert.equal(await c.cmd(`AUTHENTICATE "${m}" "AQ=="`), `NO "unsupported SASL mechanism ${m}"\r\n`);
      assert.equal(await c.cmd(plainAuth(u.address, testPassword)), 'OK "logged in"\r\n');
      assert.equal(
        await c.cmd("CAPABILITY"),
        `${caps({ sasl: "", starttls: false, owner: u.address })}OK\r\n`,
      );
      assert.equal(await c.cmd("STARTTLS"), 'NO "STARTTLS not allowed after login"\r\n');
      assert.equal(
        await c.cmd(plainAuth(u.address, testPassword)),
        'NO "AUTHENTICATE not allowed after login"\r\n',
      );
    } finally {
      c.close();
    }
  });

  test('SASL continuation: an empty challenge, the response as a quoted string or a literal; "*" cancels', async () => {
    const u = freshUser();
    const b64 = Buffer.from(`\0${u.address}\0${testPassword}`).toString("base64");
    const d = await secure();
    try {
      assert.equal(await d.cmd('AUTHENTICATE "PLAIN"\r\n"*"'), '""\r\nNO "authentication cancelled"\r\n');
      assert.equal(
        await d.cmd(`AUTHENTICATE "PLAIN"\r\n{${b64.length}+}\r\n${b64}`),
        `""\r\nOK "logged in"\r\n`,
      );
    } finally {
      d.close();
    }
  });

  test("SASL LOGIN: Username: and Password: challenges, or the user name as the initial response", async () => {
    const u = freshUser();
    const b = (x: string) => Buffer.from(x).toString("base64");
    const c = await secure();
    try {
      c.send('AUTHENTICATE "LOGIN"\r\n');
      c.send(`"${b(u.address)}"\r\n`);
      assert.equal(
        await c.cmd(`"${b(testPassword)}"`),
        `"${b("Username:")}"\r\n"${b("Password:")}"\r\nOK "logged in"\r\n`,
      );
      assert.equal(await c.cmd("UNAUTHENTICATE"), "OK\r\n");
      c.send(`AUTHENTICATE "LOGIN" "${b(u.address)}"\r\n`);
      assert.equal(
        await c.cmd(`"${b("wrong")}"`),
        `"${b("Password:")}"\r\nNO "invalid user name or password"\r\n`,
      );
    } finally {
      c.close();
    }
  });

  test("a wrong password is NO; the third failure is BYE and the connection closes", async () => {
    const u = freshUser();
    const c = await secure();
    try {
      assert.equal(await c.cmd(plainAuth(u.address, "wrong")), 'NO "invalid user name or password"\r\n');
      assert.equal(await c.cmd(plainAuth(u.address, "wrong")), 'NO "invalid user name or password"\r\n');
      assert.equal(await c.cmd(plainAuth(u.address, "wrong")), 'BYE "invalid user name or password"\r\n');
      assert.ok(await c.waitClosed());
    } finally {
      c.close();
    }
  });

  test("PUTSCRIPT, LISTSCRIPTS, SETACTIVE, GETSCRIPT, RENAMESCRIPT, DELETESCRIPT with their response codes", async () => {
    const u = freshUser();
    const c = await loggedIn(u.address);
    try {
      assert.equal(await c.cmd("LISTSCRIPTS"), "OK\r\n");
      assert.equal(await c.cmd(withLiteral('PUTSCRIPT "rules"', GOOD)), "OK\r\n");
      assert.equal(await c.cmd(withLiteral('PUTSCRIPT "other"', "keep;\r\n")), "OK\r\n");
      assert.equal(await c.cmd("LISTSCRIPTS"), '"other"\r\n"rules"\r\nOK\r\n');
      assert.equal(await c.cmd('SETACTIVE "rules"'), "OK\r\n");
      assert.equal(await c.cmd("LISTSCRIPTS"), '"other"\r\n"rules" ACTIVE\r\nOK\r\n');
      assert.equal((await server.store.sieve.active(u.id))?.name, "rules");
      assert.equal(await c.cmd('GETSCRIPT "rules"'), `{${Buffer.byteLength(GOOD)}}\r\n${GOOD}\r\nOK\r\n`);
      assert.equal(await c.cmd('GETSCRIPT "nope"'), 'NO (NONEXISTENT) "there is no script by that name"\r\n');
      assert.equal(await c.cmd('SETACTIVE "nope"'), 'NO (NONEXISTENT) "there is no script by that name"\r\n');
      assert.equal(
        await c.cmd('RENAMESCRIPT "rules" "other"'),
        'NO (ALREADYEXISTS) "a script by that name already exists"\r\n',
      );
      assert.equal(
        await c.cmd('RENAMESCRIPT "nope" "x"'),
        'NO (NONEXISTENT) "there is no script by that name"\r\n',
      );
      assert.equal(await c.cmd('RENAMESCRIPT "rules" "Mail rules ✉"'), "OK\r\n");
      assert.equal(await c.cmd("LISTSCRIPTS"), '"Mail rules ✉" ACTIVE\r\n"other"\r\nOK\r\n');
      assert.equal(
        await c.cmd('DELETESCRIPT "Mail rules ✉"'),
        'NO (ACTIVE) "the active script cannot be deleted: activate another or none first"\r\n',
      );
      assert.equal(
        await c.cmd('DELETESCRIPT "nope"'),
        'NO (NONEXISTENT) "there is no script by that name"\r\n',
      );
      assert.equal(await c.cmd('SETACTIVE ""'), "OK\r\n");
      assert.equal(await server.store.sieve.active(u.id), null);
      assert.equal(await c.cmd('DELETESCRIPT "Mail rules ✉"'), "OK\r\n");
      assert.equal(await c.cmd("LISTSCRIPTS"), '"other"\r\nOK\r\n');
      // Replacing a script keeps its active flag.
      assert.equal(await c.cmd('SETACTIVE "other"'), "OK\r\n");
      assert.equal(await c.cmd(withLiteral('PUTSCRIPT "other"', "discard;\r\n")), "OK\r\n");
      assert.equal(await c.cmd("LISTSCRIPTS"), '"other" ACTIVE\r\nOK\r\n');
      assert.equal((await server.store.sieve.active(u.id))?.content, "discard;\r\n");
    } finally {
      c.close();
    }
  });

  test("an invalid script: PUTSCRIPT and CHECKSCRIPT answer NO with line and column, nothing is stored", async () => {
    const u = freshUser();
    const c = await loggedIn(u.address);
    try {
      const put = await c.cmd(withLiteral('PUTSCRIPT "bad"', BAD));
      assert.match(put, /^NO ("|\{\d+\}\r\n)line 2, column \d+: /);
      assert.deepEqual(await server.store.sieve.list(u.id), []);
      const check = await c.cmd(withLiteral("CHECKSCRIPT", BAD));
      assert.equal(check, put);
      assert.equal(await c.cmd(withLiteral("CHECKSCRIPT", GOOD)), "OK\r\n");
      // A script that is not UTF-8 (RFC 5228 2.2).
      c.send(
        Buffer.concat([
          Buffer.from('PUTSCRIPT "x" {3+}\r\n'),
          Buffer.from([0x6b, 0xff, 0x3b]),
          Buffer.from("\r\n"),
        ]),
      );
      assert.equal(await c.readResponse(), 'NO "script is not valid UTF-8"\r\n');
    } finally {
      c.close();
    }
  });

  test("HAVESPACE and the limits: QUOTA/MAXSIZE (the literal is read and dropped), QUOTA/MAXSCRIPTS", async () => {
    const u = freshUser();
    const c = await loggedIn(u.address);
    try {
      assert.equal(await c.cmd('HAVESPACE "a" 1024'), "OK\r\n");
      assert.equal(
        await c.cmd('HAVESPACE "a" 1025'),
        'NO (QUOTA/MAXSIZE) "script larger than the limit of 1024 octets"\r\n',
      );
      assert.equal(await c.cmd('HAVESPACE "a" x'), 'NO "syntax: HAVESPACE \\"name\\" size"\r\n');
      const big = `# ${"x".repeat(2000)}\r\nkeep;\r\n`;
      assert.equal(
        await c.cmd(withLiteral('PUTSCRIPT "big"', big)),
        'NO (QUOTA/MAXSIZE) "script larger than the limit of 1024 octets"\r\n',
      );
      assert.equal(await c.cmd('NOOP "still in step"'), 'OK (TAG "still in step") "Done"\r\n');
      for (const n of ["a", "b", "c"])
        assert.equal(await c.cmd(withLiteral(`PUTSCRIPT "${n}"`, "keep;")), "OK\r\n");
      assert.equal(
        await c.cmd('HAVESPACE "d" 10'),
        'NO (QUOTA/MAXSCRIPTS) "no more scripts: the limit is 3"\r\n',
      );
      assert.equal(await c.cmd('HAVESPACE "a" 10'), "OK\r\n");
      assert.equal(
        await c.cmd(withLiteral('PUTSCRIPT "d"', "keep;")),
        'NO (QUOTA/MAXSCRIPTS) "no more scripts: the limit is 3"\r\n',
      );
    } finally {
      c.close();
    }
  });

  test("NOOP, unknown commands, bad syntax, names with control characters, UNAUTHENTICATE, LOGOUT", async () => {
    const u = freshUser();
    const c = await loggedIn(u.address);
    try {
      assert.equal(await c.cmd("NOOP"), 'OK "Done"\r\n');
      assert.equal(await c.cmd("FROB"), 'NO "unknown command FROB"\r\n');
      assert.equal(await c.cmd('GETSCRIPT "x'), 'NO "syntax error: unterminated quoted string"\r\n');
      assert.equal(await c.cmd("GETSCRIPT"), 'NO "syntax: GETSCRIPT \\"name\\""\r\n');
      assert.equal(await c.cmd('SETACTIVE "a\tb"'), 'NO "script name contains control characters"\r\n');
      assert.equal(await c.cmd("UNAUTHENTICATE"), "OK\r\n");
      assert.equal(await c.cmd("LISTSCRIPTS"), 'NO "LISTSCRIPTS needs a login first"\r\n');
      assert.equal(await c.cmd(plainAuth(u.address, testPassword)), 'OK "logged in"\r\n');
      assert.equal(await c.cmd("LOGOUT"), 'OK "Logout completed"\r\n');
      assert.ok(await c.waitClosed());
    } finally {
      c.close();
    }
  });

  test("an over-long line is NO and the session stays in step; bad literal syntax is NO", async () => {
    const c = await connect();
    try {
      assert.equal(
        await c.cmd(`NOOP "${"x".repeat(100_000)}"`),
        'NO "line too long (limit 8192 octets)"\r\n',
      );
      assert.equal(await c.cmd('NOOP "t"'), 'OK (TAG "t") "Done"\r\n');
      assert.equal(await c.cmd("NOOP {5+} x"), 'NO "syntax error: bad literal: {n+} must end the line"\r\n');
    } finally {
      c.close();
    }
  });

  test("before login a literal over maxPreAuthLiteralBytes is BYE, and the connection closes", async () => {
    const c = await connect();
    try {
      assert.equal(
        await c.cmd('AUTHENTICATE "PLAIN" {100000+}'),
        'BYE "literal too large, closing connection"\r\n',
      );
      assert.ok(await c.waitClosed());
    } finally {
      c.close();
    }
  });

  test("an app password with the managesieve scope logs in; disabling the account ends the session", async () => {
    const u = freshUser();
    const made = await server.ctx.appPasswords.create(u.id, {
      name: "sieve-connect",
      scopes: ["managesieve"],
    });
    const imapOnly = await server.ctx.appPasswords.create(u.id, { name: "phone", scopes: ["imap"] });
    const c = await secure();
    try {
      assert.equal(
        await c.cmd(plainAuth(u.address, imapOnly.secret)),
        'NO "invalid user name or password"\r\n',
      );
      assert.equal(await c.cmd(plainAuth(u.address, made.secret)), 'OK "logged in"\r\n');
      assert.equal(await c.cmd("LISTSCRIPTS"), "OK\r\n");
      await server.store.directory.updateAccount(u.id, { disabled: true });
      assert.equal(
        await c.cmd("LISTSCRIPTS"),
        'BYE "credentials changed or account disabled, closing connection"\r\n',
      );
      assert.ok(await c.waitClosed());
      const d = await secure();
      try {
        // A disabled account is refused like a wrong password.
        assert.equal(
          await d.cmd(plainAuth(u.address, testPassword)),
          'NO "invalid user name or password"\r\n',
        );
      } finally {
        d.close();
      }
    } finally {
      c.close();
    }
  });
});

describe("ManageSieve login deadline, per-IP cap, hostile lines", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      config: { managesieve: { loginDeadlineSec: 1, maxConnectionsPerIp: 3 } },
    });
  });
  after(() => server.stop());

  test("a client that keeps talking but never logs in gets BYE at the deadline", async () => {
    const c = await SieveTestClient.connect(server.ports.managesieve!);
    try {
      await c.readResponse();
      let last = "";
      for (let i = 0; i < 40 && !last.startsWith("BYE"); i++) {
        last = await c.cmd("NOOP").catch(() => "closed");
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(last, 'BYE "login took too long, closing connection"\r\n');
      assert.ok(await c.waitClosed());
    } finally {
      c.close();
    }
  });

  test("a literal trickled one octet at a time does not outlive the login deadline", async () => {
    const c = await SieveTestClient.connect(server.ports.managesieve!);
    try {
      await c.readResponse();
      c.send('AUTHENTICATE "PLAIN" {1000+}\r\n');
      let closed = false;
      for (let i = 0; i < 40 && !closed; i++) {
        c.send("A");
        closed = await c.waitClosed(100);
      }
      assert.ok(closed, "closed at the deadline");
    } finally {
      c.close();
    }
  });

  test("beyond maxConnectionsPerIp before login: BYE (TRYLATER) and the connection closes", async () => {
    const held: SieveTestClient[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const c = await SieveTestClient.connect(server.ports.managesieve!);
        held.push(c);
        assert.match(await c.readResponse(), /OK "Yubin ManageSieve ready"\r\n$/);
      }
      const extra = await SieveTestClient.connect(server.ports.managesieve!);
      held.push(extra);
      assert.equal(await extra.readResponse(), 'BYE (TRYLATER) "too many connections, try again later"\r\n');
      assert.ok(await extra.waitClosed());
    } finally {
      for (const c of held) c.close();
    }
  });
});

describe("ManageSieve with plaintext allowed: the login throttle", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      users: [
        { address: "t@example.test", password: testPassword },
        { address: "p@example.test", password: testPassword },
      ],
      config: {
        managesieve: { allowPlaintextAuth: true },
        // Every command re-reads the account (auth/login-recheck.ts).
        auth: {
          throttleFreeFailures: 1,
          throttleMaxFailures: 2,
          throttleBaseDelayMs: 50,
          sessionRecheckSec: 0,
        },
      },
    });
  });
  after(() => server.stop());

  test("SASL is offered before TLS; failures are delayed, then refused with TRYLATER, then BYE", async () => {
    const c = await SieveTestClient.connect(server.ports.managesieve!);
    try {
      assert.match(await c.readResponse(), /^"IMPLEMENTATION" "Yubin"\r\n"SASL" "PLAIN LOGIN"\r\n/);
      const user = "t@example.test";
      assert.equal(await c.cmd(plainAuth(user, "wrong")), 'NO "invalid user name or password"\r\n');
      const t0 = Date.now();
      assert.equal(await c.cmd(plainAuth(user, "wrong again")), 'NO "invalid user name or password"\r\n');
      // Past throttleFreeFailures the answer is delayed (auth/throttle.ts).
      assert.ok(Date.now() - t0 >= 45, "second failure delayed");
      // Past throttleMaxFailures even the right password is refused, unchecked; the third failure
      // on this connection (managesieve.maxAuthFailures) ends it.
      assert.match(
        await c.cmd(plainAuth(user, testPassword)),
        /^BYE \(TRYLATER\) "too many failed logins; try again in \d+ seconds"\r\n$/,
      );
      assert.ok(await c.waitClosed());
    } finally {
      c.close();
    }
  });

  test("a password change ends a logged-in session with BYE before its next command", async () => {
    const c = await SieveTestClient.connect(server.ports.managesieve!);
    try {
      await c.readResponse();
      assert.equal(await c.cmd(plainAuth("p@example.test", testPassword)), 'OK "logged in"\r\n');
      assert.equal(await c.cmd("LISTSCRIPTS"), "OK\r\n");
      const account = (await server.store.directory.getAccountByAddress("p@example.test"))!;
      await server.store.directory.updateAccount(account.id, {
        passwordHash: await hashPassword("a new secret 1"),
      });
      assert.equal(
        await c.cmd("LISTSCRIPTS"),
        'BYE "credentials changed or account disabled, closing connection"\r\n',
      );
      assert.ok(await c.waitClosed());
    } finally {
      c.close();
    }
  });
});
