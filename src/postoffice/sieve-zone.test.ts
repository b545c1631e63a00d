// [sieve] timeZone: the local zone of Sieve's date and currentdate tests without :zone (RFC 5260
// 4.1). Offsets as written, IANA names and the OS zone resolved for the instant (daylight saving
// time on both sides of a change), bad values refused at start naming the key, and a delivery
// whose script sees the configured zone (swaks on port 25, the flags read back over IMAP).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { ImapFlow } from "imapflow";
import { ConfigError, validateConfig } from "../config/load.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { commandSkip } from "../testing/requires.js";
import { formatOffset, sieveZone } from "./sieve-zone.js";

const winter = new Date("2026-01-15T12:00:00Z");
const summer = new Date("2026-07-15T12:00:00Z");

test("an offset is used as written, whatever the date", () => {
  assert.equal(sieveZone("+0530", winter), "+0530");
  assert.equal(sieveZone("-1000", summer), "-1000");
});

test("an IANA name is resolved for the instant: daylight saving time in summer, not in winter", () => {
  assert.equal(sieveZone("Europe/Berlin", winter), "+0100");
  assert.equal(sieveZone("Europe/Berlin", summer), "+0200");
  assert.equal(sieveZone("America/St_Johns", winter), "-0330");
  assert.equal(sieveZone("America/St_Johns", summer), "-0230");
  assert.equal(sieveZone("UTC", summer), "+0000");
  // Around the change itself (Europe, 2026-03-29 01:00 UTC).
  assert.equal(sieveZone("Europe/Berlin", new Date("2026-03-29T00:59:59Z")), "+0100");
  assert.equal(sieveZone("Europe/Berlin", new Date("2026-03-29T01:00:00Z")), "+0200");
});

test("empty: the OS zone (TZ), resolved for the instant", () => {
  const old = process.env.TZ;
  try {
    process.env.TZ = "America/New_York";
    assert.equal(sieveZone("", winter), "-0500");
    assert.equal(sieveZone("", summer), "-0400");
    process.env.TZ = "UTC";
    assert.equal(sieveZone("", summer), "+0000");
  } finally {
    if (old === undefined) delete process.env.TZ;
    else process.env.TZ = old;
  }
});

test("formatOffset writes RFC 5260's +hhmm", () => {
  assert.equal(formatOffset(0), "+0000");
  assert.equal(formatOffset(330), "+0530");
  assert.equal(formatOffset(-570), "-0930");
});

test("a zone that is neither an offset nor a known name is refused at start, naming the key", () => {
  for (const bad of ["Mars/Olympus_Mons", "+2400", "+0560", "0530", "+5:30"])
    assert.throws(
      () => validateConfig({ sieve: { timeZone: bad } }),
      (e: unknown) => e instanceof ConfigError && e.message.startsWith("config: sieve.timeZone: "),
      bad,
    );
  for (const good of ["", "+0000", "-0330", "Asia/Kolkata", "UTC"])
    assert.equal(validateConfig({ sieve: { timeZone: good } }).sieve.timeZone, good);
});

const run = promisify(execFile);

describe("the configured zone at delivery (port 25, swaks, imapflow)", { skip: commandSkip("swaks") }, () => {
  let ts: TestServer;

  before(async () => {
    ts = await startTestServer({
      users: [{ address: "alice@example.test", password: testPassword }],
      // India has had no daylight saving time since 1945: the same offset whenever this runs.
      config: { sieve: { timeZone: "Asia/Kolkata" } },
    });
  });
  after(async () => {
    await ts?.stop();
  });

  test("currentdate and date without :zone use it; :zone still overrides it", async () => {
    const alice = ts.users[0]!.id;
    await ts.store.sieve.put(
      alice,
      "rules",
      `require ["date", "imap4flags"];
if currentdate :is "zone" "+0530" { addflag "$NowLocal"; }
if date :is "date" "zone" "+0530" { addflag "$DateLocal"; }
if date :is "date" "hour" "01" { addflag "$Hour01"; }
if date :zone "+0000" :is "date" "hour" "20" { addflag "$Hour20"; }
`,
      { maxScripts: 20, maxTotalBytes: 1 << 20 },
    );
    await ts.store.sieve.setActive(alice, "rules");
    const subject = `zone ${randomUUID()}`;
    const data = [
      "From: <sender@remote.example>",
      "To: <alice@example.test>",
      `Subject: ${subject}`,
      // 20:10 UTC is 01:40 the next day in India.
      "Date: Sun, 6 Dec 2026 20:10:00 +0000",
      `Message-ID: <${randomUUID()}@remote.example>`,
      "",
      "hello",
      "",
    ].join("\n");
    const args = ["--server", `127.0.0.1:${ts.ports.smtp}`, "--helo", "client.remote.example"];
    args.push("--from", "sender@remote.example", "--to", "alice@example.test", "--data", "-");
    const child = run("swaks", args, { timeout: 30_000 });
    child.child.stdin?.end(data);
    const { stdout } = await child;
    assert.match(stdout, /<- {2}250 /);

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
      const lock = await c.getMailboxLock("INBOX");
      try {
        const flags: string[][] = [];
        for await (const m of c.fetch("1:*", { envelope: true, flags: true }))
          if (m.envelope?.subject === subject) flags.push([...(m.flags ?? [])].sort());
        assert.deepEqual(flags, [["$DateLocal", "$Hour01", "$Hour20", "$NowLocal"]]);
      } finally {
        lock.release();
      }
    } finally {
      await c.logout();
    }
  });
});
