// Port 25's DNS lists and postscreen-style checks (src/dnsbl), end to end: a real server, a test
// DNS server serving the lists, clients connecting from 127.0.0.x addresses (all of 127/8 is
// local on Linux), exact replies.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import dgram from "node:dgram";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { createLogger } from "../log/logger.js";
import { RawSmtpClient } from "../smtp/test-client.js";
import { inbox, startSmtpTestServer } from "../smtp/test-server.js";
import { type DnsServer, startDnsServer } from "../testing/dns-server.js";
import type { TestServer } from "../testing/harness.js";
import { dnsblStatus } from "./index.js";

/** The server's log lines, for "logged" assertions. */
const logLines: string[] = [];
const log = createLogger({ format: "json", level: "debug", write: (l) => logLines.push(l) });

const PW = "correct horse battery staple";

const zone = [
  // 127.0.0.2: on the reject list, with a reason.
  { name: "2.0.0.127.bl.test", type: "A" as const, value: "127.0.0.2" },
  { name: "2.0.0.127.bl.test", type: "TXT" as const, value: "Listed: see https://bl.test/127.0.0.2" },
  // 127.0.0.3: on the low-weight list and on the allowlist; 127.0.0.4: low-weight list only.
  { name: "3.0.0.127.lw.test", type: "A" as const, value: "127.0.0.10" },
  { name: "3.0.0.127.wl.test", type: "A" as const, value: "127.0.10.1" },
  { name: "4.0.0.127.lw.test", type: "A" as const, value: "127.0.0.10" },
  // 127.0.0.5: the list refuses the query (Spamhaus' "public resolver" code): not a listing.
  { name: "5.0.0.127.bl.test", type: "A" as const, value: "127.255.255.254" },
  // A sender domain on the domain list.
  { name: "spam.example.dbl.test", type: "A" as const, value: "127.0.1.2" },
];

async function session(
  port: number,
  from: string,
  helo = "client.example.org",
  sender = "sender@example.org",
) {
  const c = await RawSmtpClient.connect({ port, localAddress: from });
  assert.match(await c.reply(), /^220 /);
  assert.match(await c.cmd(`EHLO ${helo}`), /^250-/);
  assert.equal(await c.cmd(`MAIL FROM:<${sender}>`), "250 2.1.0 Sender OK");
  return c;
}

async function deliver(c: RawSmtpClient, subject: string): Promise<void> {
  assert.equal(await c.cmd("DATA"), "354 End data with <CR><LF>.<CR><LF>");
  assert.match(await c.cmd(`Subject: ${subject}\r\n\r\nhello\r\n.`), /^250 2\.0\.0 OK/);
}

async function lastMessage(s: TestServer): Promise<string> {
  const msgs = await inbox(s.store, s.users[0]!.id);
  return msgs.at(-1)?.toString("utf8") ?? "";
}

describe("dnsbl on port 25", () => {
  let dns: DnsServer;
  let s: TestServer;
  before(async () => {
    dns = await startDnsServer(zone);
    s = await startSmtpTestServer({
      log,
      config: {
        dns: { servers: dns.servers },
        dnsbl: {
          ipZones: ["bl.test=127.0.0.[2..11]*reject", "lw.test*3", "wl.test=127.0.[0..255].[1..3]*-5"],
          domainZones: ["dbl.test=127.0.1.[2..99]*reject"],
          rejectScore: 4,
          greetPauseMs: 200,
        },
        // Bare LFs in DATA stored normalised (not refused), so the test below sees them scored.
        smtp: { bareLineEnds: "normalize" },
      },
    });
  });
  after(async () => {
    await s.stop();
    await dns.stop();
  });

  test("a client on a reject list gets 554 5.7.1 at RCPT, naming the list and its reason", async () => {
    const c = await session(s.ports.smtp, "127.0.0.2");
    try {
      assert.equal(
        await c.cmd("RCPT TO:<alice@example.test>"),
        "554 5.7.1 Service unavailable: client [127.0.0.2] blocked using bl.test (Listed: see https://bl.test/127.0.0.2)",
      );
    } finally {
      c.close();
    }
  });

  test("swaks from a listed address: 5xx at RCPT with the zone named", async () => {
    // Async: the server runs in this process, a synchronous spawn would stop it answering.
    const r = await promisify(execFile)(
      "swaks",
      [
        "--server",
        `127.0.0.1:${s.ports.smtp}`,
        "--local-interface",
        "127.0.0.2",
        "--to",
        "alice@example.test",
        "--from",
        "x@example.org",
        "--helo",
        "client.example.org",
      ],
      { encoding: "utf8", timeout: 20000 },
    ).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? "" })); // swaks exits non-zero on the 554
    assert.match(
      r.stdout,
      /<\*\* 554 5\.7\.1 Service unavailable: client \[127\.0\.0\.2\] blocked using bl\.test/,
    );
  });

  test("the allowlist outweighs a low-weight listing; the same listing alone is refused", async () => {
    const ok = await session(s.ports.smtp, "127.0.0.3");
    try {
      assert.equal(await ok.cmd("RCPT TO:<alice@example.test>"), "250 2.1.5 Recipient OK");
      await deliver(ok, "allowlisted");
    } finally {
      ok.close();
    }
    const msg = await lastMessage(s);
    // lw.test 3, wl.test -5, no PTR for 127.0.0.3 in the test zone: 1.
    assert.match(msg, /\r\nX-Yubin-Screen: score=-1 \(lw\.test=3 wl\.test=-5 fcrdns=1\)\r\n/);
    const no = await session(s.ports.smtp, "127.0.0.4");
    try {
      assert.equal(
        await no.cmd("RCPT TO:<alice@example.test>"),
        "554 5.7.1 Service unavailable: client [127.0.0.4] blocked using lw.test; score 4",
      );
    } finally {
      no.close();
    }
  });

  test("an X-Yubin-Screen field the client wrote is removed; ours stays", async () => {
    const c = await session(s.ports.smtp, "127.0.0.3");
    try {
      assert.equal(await c.cmd("RCPT TO:<alice@example.test>"), "250 2.1.5 Recipient OK");
      assert.equal(await c.cmd("DATA"), "354 End data with <CR><LF>.<CR><LF>");
      assert.match(
        await c.cmd(
          "Subject: forged\r\nX-Yubin-Screen: score=-100 (trust me)\r\nx-yubin-screen: score=0\r\n\r\nhi\r\n.",
        ),
        /^250 /,
      );
    } finally {
      c.close();
    }
    const msg = await lastMessage(s);
    assert.match(msg, /Subject: forged\r\n\r\nhi/);
    assert.deepEqual(msg.match(/^x-yubin-screen:.*$/gim), [
      "X-Yubin-Screen: score=-1 (lw.test=3 wl.test=-5 fcrdns=1)",
    ]);
  });

  test("a 127.255.255.254 answer (query refused) is not a listing", async () => {
    const c = await session(s.ports.smtp, "127.0.0.5");
    try {
      assert.equal(await c.cmd("RCPT TO:<alice@example.test>"), "250 2.1.5 Recipient OK");
    } finally {
      c.close();
    }
    assert.ok(
      logLines.some(
        (l) => /dnsbl lookup failed/.test(l) && /query refused by the list \(127\.255\.255\.254\)/.test(l),
      ),
    );
  });

  test("dnsblStatus counts each list's queries, listings and errors (the admin page's DNSBL status)", async () => {
    const bl = () => dnsblStatus(s.ctx).find((z) => z.kind === "ip" && z.zone === "bl.test");
    const before = bl();
    assert.deepEqual(
      dnsblStatus(s.ctx).map((z) => `${z.kind} ${z.spec}`),
      [
        "ip bl.test=127.0.0.[2..11]*reject",
        "ip lw.test*3",
        "ip wl.test=127.0.[0..255].[1..3]*-5",
        "domain dbl.test=127.0.1.[2..99]*reject",
      ],
    );
    for (const ip of ["127.0.0.2", "127.0.0.5"]) {
      const c = await session(s.ports.smtp, ip);
      try {
        await c.cmd("RCPT TO:<alice@example.test>");
      } finally {
        c.close();
      }
    }
    const after = bl();
    assert.ok(before && after);
    assert.equal(after.weight, "reject");
    assert.equal(after.queries - before.queries, 2);
    assert.equal(after.listed - before.listed, 1);
    assert.equal(after.errors - before.errors, 1);
    assert.match(after.lastError?.detail ?? "", /query refused by the list \(127\.255\.255\.254\)/);
  });

  test("a HELO claiming to be this server is refused", async () => {
    const c = await session(s.ports.smtp, "127.0.0.6", "mail.example.test");
    try {
      assert.equal(
        await c.cmd("RCPT TO:<alice@example.test>"),
        "554 5.7.1 Service unavailable: client [127.0.0.6] greeted as mail.example.test, which is this server",
      );
    } finally {
      c.close();
    }
  });

  test("pipelining before EHLO offered it, and a bare-IP HELO, are scored", async () => {
    const c = await RawSmtpClient.connect({ port: s.ports.smtp, localAddress: "127.0.0.7" });
    try {
      assert.match(await c.reply(), /^220 /);
      c.send("EHLO 192.0.2.1\r\nMAIL FROM:<sender@example.org>\r\n");
      assert.match(await c.reply(), /^250-/);
      assert.equal(await c.reply(), "250 2.1.0 Sender OK");
      assert.equal(
        await c.cmd("RCPT TO:<alice@example.test>"),
        "554 5.7.1 Service unavailable: client [127.0.0.7] score 4 (pipelining=2 helo-bare-ip=1 fcrdns=1)",
      );
    } finally {
      c.close();
    }
  });

  test("a bare LF line end, in a command or in DATA, is scored (bare-newline) and travels with the message", async () => {
    for (const where of ["command", "data"]) {
      const c = await RawSmtpClient.connect({ port: s.ports.smtp, localAddress: "127.0.0.9" });
      try {
        assert.match(await c.reply(), /^220 /);
        assert.match(await c.cmd("EHLO client.example.org"), /^250-/);
        c.send(`MAIL FROM:<sender@example.org>${where === "command" ? "\n" : "\r\n"}`);
        assert.equal(await c.reply(), "250 2.1.0 Sender OK");
        assert.equal(await c.cmd("RCPT TO:<alice@example.test>"), "250 2.1.5 Recipient OK");
        assert.equal(await c.cmd("DATA"), "354 End data with <CR><LF>.<CR><LF>");
        const text = where === "data" ? "hello\nworld" : "hello\r\nworld";
        assert.match(await c.cmd(`Subject: bare ${where}\r\n\r\n${text}\r\n.`), /^250 2\.0\.0 OK/);
      } finally {
        c.close();
      }
      const msg = await lastMessage(s);
      assert.match(msg, new RegExp(`^Subject: bare ${where}\r\n\r\nhello\r\nworld\r\n$`, "m"));
      // Below rejectScore 4: accepted, and scored.
      assert.deepEqual(msg.match(/^x-yubin-screen:.*$/gim), [
        where === "command"
          ? "X-Yubin-Screen: score=2 (bare-newline=1 fcrdns=1)"
          : "X-Yubin-Screen: score=2 (fcrdns=1 bare-newline=1)",
      ]);
    }
  });

  test("a MAIL FROM domain on a domain list is refused at RCPT, naming the domain", async () => {
    const c = await session(s.ports.smtp, "127.0.0.8", "client.example.org", "x@spam.example");
    try {
      assert.equal(
        await c.cmd("RCPT TO:<alice@example.test>"),
        "554 5.7.1 Service unavailable: spam.example blocked using dbl.test",
      );
    } finally {
      c.close();
    }
  });

  test("a client that talks before the greeting is scored (dnsbl.greetPauseMs)", async () => {
    const c = await RawSmtpClient.connect({ port: s.ports.smtp, localAddress: "127.0.0.9" });
    try {
      c.send("EHLO client.example.org\r\n"); // before the 220, which comes after the 200 ms pause
      assert.match(await c.reply(), /^220 /);
      assert.match(await c.reply(), /^250-/);
      assert.equal(await c.cmd("MAIL FROM:<sender@example.org>"), "250 2.1.0 Sender OK");
      assert.equal(
        await c.cmd("RCPT TO:<alice@example.test>"),
        "554 5.7.1 Service unavailable: client [127.0.0.9] score 4 (pregreet=3 fcrdns=1)",
      );
    } finally {
      c.close();
    }
  });

  test("authenticated submission is never checked, even from a listed address", async () => {
    const c = await RawSmtpClient.connect({ port: s.ports.submission, localAddress: "127.0.0.2" });
    try {
      assert.match(await c.reply(), /^220 /);
      assert.match(await c.cmd("EHLO mail.example.test"), /^250-/);
      assert.match(await c.cmd("STARTTLS"), /^220 /);
      await c.startTls();
      assert.match(await c.cmd("EHLO mail.example.test"), /^250-/);
      const plain = Buffer.from(`\0alice@example.test\0${PW}`).toString("base64");
      assert.equal(await c.cmd(`AUTH PLAIN ${plain}`), "235 2.7.0 Authentication successful");
      assert.equal(await c.cmd("MAIL FROM:<alice@example.test>"), "250 2.1.0 Sender OK");
      assert.equal(await c.cmd("RCPT TO:<bob@example.test>"), "250 2.1.5 Recipient OK");
    } finally {
      c.close();
    }
  });
});

describe("dnsbl when the DNS does not answer", () => {
  let mute: dgram.Socket;
  let s: TestServer;
  before(async () => {
    // A DNS "server" that reads queries and never answers.
    mute = dgram.createSocket("udp4");
    await new Promise<void>((r) => mute.bind(0, "127.0.0.1", () => r()));
    s = await startSmtpTestServer({
      log,
      config: {
        dns: { servers: [`127.0.0.1:${mute.address().port}`] },
        dnsbl: { ipZones: ["bl.test*reject"], timeoutMs: 300 },
      },
    });
  });
  after(async () => {
    await s.stop();
    mute.close();
  });

  test("fails open: the mail is accepted after dnsbl.timeoutMs", async () => {
    const c = await session(s.ports.smtp, "127.0.0.2");
    try {
      assert.equal(await c.cmd("RCPT TO:<alice@example.test>"), "250 2.1.5 Recipient OK");
      await deliver(c, "dns down");
    } finally {
      c.close();
    }
    const msg = await lastMessage(s);
    assert.match(msg, /Subject: dns down/);
    assert.doesNotMatch(msg, /X-Yubin-Screen/); // nothing found, nothing added
    assert.ok(logLines.some((l) => /dnsbl lookup failed/.test(l) && /no answer in time/.test(l)));
  });
});

describe("dnsbl with greylisting on", () => {
  let dns: DnsServer;
  let s: TestServer;
  before(async () => {
    dns = await startDnsServer(zone);
    s = await startSmtpTestServer({
      config: {
        dns: { servers: dns.servers },
        dnsbl: { ipZones: ["wl.test=127.0.[0..255].[1..3]*-5"] },
        greylist: { enabled: true },
      },
    });
  });
  after(async () => {
    await s.stop();
    await dns.stop();
  });

  test("a client on a DNS allowlist is not greylisted (RFC 6647 §4.5); another one is", async () => {
    const listed = await session(s.ports.smtp, "127.0.0.3");
    try {
      assert.equal(await listed.cmd("RCPT TO:<alice@example.test>"), "250 2.1.5 Recipient OK");
    } finally {
      listed.close();
    }
    const other = await session(s.ports.smtp, "127.0.0.4");
    try {
      assert.match(await other.cmd("RCPT TO:<alice@example.test>"), /^451 4\.7\.1 Greylisted/);
    } finally {
      other.close();
    }
  });
});
