// Sieve redirect and notify, end to end (redirect.ts, notify.ts): swaks sends an outside
// sender's DKIM-signed message to A's port 25; users' scripts on A redirect it.
//  - to another domain (B): the copy arrives from an SRS address of A (SPF passes at B), with
//    A's ARC set (B: arc=pass; its ARC-Authentication-Results show A's original results) and
//    X-Sieve-Redirected-From; the redirecting user keeps no copy (redirect cancels the keep);
//  - redirected to another user of A whose script redirects it to B: the same SRS and ARC;
//  - a loop between two of A's users (carol → erin → carol) stops at the second pass: carol
//    keeps the message, erin's rules ran (the "redirect" door), nothing loops on;
//  - over [sieve] maxRedirectsPerDay the message is not sent but kept in INBOX;
//  - the same message twice (Message-ID) is redirected once; spam is kept in Junk, not forwarded;
//  - notify mailto: the notification arrives (Auto-Submitted: auto-notified, From the user,
//    the URI's subject); a message from the null sender or an Auto-Submitted one triggers none
//    (RFC 5436 §2.7).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { commandSkip } from "../testing/requires.js";
import {
  activeScript,
  arrived,
  copies,
  type ForwardingNet,
  fields,
  queueEmpties,
  startForwardingNet,
  wait,
} from "./test-forwarding.js";

const skip = commandSkip("swaks");

describe("Sieve redirect and notify", { skip }, () => {
  let net: ForwardingNet;
  const users = ["alice", "carol", "erin", "frank", "grace", "henry", "ivy", "jack", "kate", "mia"].map(
    (u) => `${u}@a.test`,
  );

  before(async () => {
    net = await startForwardingNet({
      aUsers: users,
      aConfig: { sieve: { maxRedirectsPerDay: 2 } },
      // Stands in for the spam filter: "spammy" messages go to their recipients' Junk.
      aFilters: [
        {
          name: "junk-test",
          check: (input) =>
            input.body.includes("Subject: spammy")
              ? {
                  kind: "accept",
                  folders: input.accountIds.map((accountId) => ({ accountId, folder: "junk" as const })),
                }
              : { kind: "accept" },
        },
      ],
    });
    await activeScript(net.A, "alice@a.test", 'redirect "bob@b.test";\r\n');
    await activeScript(net.A, "carol@a.test", 'redirect "erin@a.test";\r\n');
    await activeScript(net.A, "erin@a.test", 'redirect "carol@a.test";\r\n');
    await activeScript(net.A, "frank@a.test", 'redirect "bob@b.test";\r\n');
    await activeScript(net.A, "ivy@a.test", 'redirect "jack@a.test";\r\n');
    await activeScript(net.A, "kate@a.test", 'redirect "bob@b.test";\r\n');
    await activeScript(net.A, "mia@a.test", 'redirect "bob@b.test";\r\n');
    await activeScript(net.A, "jack@a.test", 'redirect "bob@b.test";\r\n');
    await activeScript(
      net.A,
      "grace@a.test",
      'require ["enotify"];\r\nnotify :message "Mail for grace" "mailto:henry@a.test?subject=Ping%20grace";\r\n',
    );
  });
  after(async () => {
    await net?.stop();
  });

  function send(to: string, subject: string, from = "dave@ext.test", extra: string[] = []): Promise<void> {
    return net.sendExt({ to, subject, from, extra });
  }

  test("to another domain: SRS sender, ARC set verified at B with the original results, no local copy", async () => {
    await send("alice@a.test", "redirect-out");
    const [got] = await arrived(net.B, "bob@b.test", "Subject: redirect-out");
    assert.ok(got, "bob got the redirected copy");
    const f = fields(got);
    assert.match(
      f.find((x) => x.startsWith("Return-Path:")) ?? "",
      /^Return-Path: <SRS0=[^=]{4}=[A-Z2-7]{2}=ext\.test=dave@mail\.a\.test>$/,
    );
    assert.ok(f.includes("X-Sieve-Redirected-From: <alice@a.test>"), "trace field");
    const ar = f.find((x) => x.startsWith("Authentication-Results: mx.b.test;")) ?? "";
    assert.match(ar, /spf=pass [^;]*smtp\.mailfrom="SRS0=[^"]+@mail\.a\.test"/);
    assert.match(ar, /arc=pass \(i=1 spf=pass dkim=pass dkdomain=ext\.test/);
    const seal = f.filter((x) => x.startsWith("ARC-Seal:"));
    assert.equal(seal.length, 1);
    assert.match(seal[0]!, /cv=none/);
    assert.match(seal[0]!, /d=a\.test/);
    const aar = f.find((x) => x.startsWith("ARC-Authentication-Results:")) ?? "";
    assert.match(aar, /^ARC-Authentication-Results: i=1; mail\.a\.test;/);
    assert.match(aar, /spf=pass [^;]*smtp\.mailfrom=dave@ext\.test/);
    assert.match(aar, /dkim=pass header\.i=@ext\.test/);
    await queueEmpties(net.A);
    assert.deepEqual(await copies(net.A, "alice@a.test", "Subject: redirect-out"), []);
  });

  test("redirected here, then on to another domain: still SRS and A's ARC set with the first results", async () => {
    await send("ivy@a.test", "redirect-twice");
    const [got] = await arrived(net.B, "bob@b.test", "Subject: redirect-twice");
    assert.ok(got, "bob got the copy");
    const f = fields(got);
    assert.ok(f.includes("X-Sieve-Redirected-From: <ivy@a.test>"));
    assert.ok(f.includes("X-Sieve-Redirected-From: <jack@a.test>"));
    assert.match(
      f.find((x) => x.startsWith("Return-Path:")) ?? "",
      /<SRS0=[^>]+=ext\.test=dave@mail\.a\.test>/,
    );
    const ar = f.find((x) => x.startsWith("Authentication-Results: mx.b.test;")) ?? "";
    assert.match(ar, /spf=pass/);
    assert.match(ar, /arc=pass \(i=1 spf=pass dkim=pass dkdomain=ext\.test/);
    assert.equal(f.filter((x) => x.startsWith("ARC-Seal:")).length, 1);
    await queueEmpties(net.A);
    assert.deepEqual(await copies(net.A, "ivy@a.test", "Subject: redirect-twice"), []);
    assert.deepEqual(await copies(net.A, "jack@a.test", "Subject: redirect-twice"), []);
  });

  test("a redirect loop between two users stops: the first keeps the message", async () => {
    await send("carol@a.test", "redirect-loop");
    const kept = await arrived(net.A, "carol@a.test", "Subject: redirect-loop");
    assert.equal(kept.length, 1);
    const f = fields(kept[0]!);
    assert.ok(f.includes("X-Sieve-Redirected-From: <carol@a.test>"));
    assert.ok(f.includes("X-Sieve-Redirected-From: <erin@a.test>"));
    // The last hop's queue entry goes after its delivery, a write a loaded machine can hold
    // past a fixed pause: waited for, then the pause for a copy that should not come.
    await queueEmpties(net.A);
    await wait(300);
    assert.equal((await copies(net.A, "carol@a.test", "Subject: redirect-loop")).length, 1);
    assert.deepEqual(await copies(net.A, "erin@a.test", "Subject: redirect-loop"), []);
    assert.deepEqual(await net.A.store.queue.listQueue(), []);
  });

  test("over the daily redirect limit the message is kept locally, not sent", async () => {
    for (const n of [1, 2, 3]) await send("frank@a.test", `limit-${n}`);
    assert.equal((await arrived(net.B, "bob@b.test", "Subject: limit-2")).length, 1);
    assert.equal((await arrived(net.A, "frank@a.test", "Subject: limit-3")).length, 1);
    await queueEmpties(net.A);
    assert.equal((await copies(net.B, "bob@b.test", "Subject: limit-1")).length, 1);
    assert.deepEqual(await copies(net.B, "bob@b.test", "Subject: limit-3"), []);
    assert.deepEqual(await copies(net.A, "frank@a.test", "Subject: limit-1"), []);
    assert.deepEqual(await copies(net.A, "frank@a.test", "Subject: limit-2"), []);
  });

  test("spam is not forwarded: kept here in Junk", async () => {
    await send("mia@a.test", "spammy-1");
    const kept = async () =>
      (await copies(net.A, "mia@a.test", "Subject: spammy-1", "Junk")).length +
      (await copies(net.A, "mia@a.test", "Subject: spammy-1")).length;
    for (let i = 0; i < 500 && (await kept()) === 0; i++) await wait(20);
    assert.equal(await kept(), 1);
    await queueEmpties(net.A);
    assert.deepEqual(await copies(net.B, "bob@b.test", "Subject: spammy-1"), []);
  });

  test("the same message again (an SMTP retry: same Message-ID) is not redirected twice", async () => {
    await send("kate@a.test", "dup-1");
    assert.equal((await arrived(net.B, "bob@b.test", "Subject: dup-1")).length, 1);
    await send("kate@a.test", "dup-1");
    await queueEmpties(net.A);
    await wait(300);
    assert.equal((await copies(net.B, "bob@b.test", "Subject: dup-1")).length, 1);
    assert.deepEqual(await copies(net.A, "kate@a.test", "Subject: dup-1"), []);
  });

  test("notify mailto: the notification arrives; null-sender or Auto-Submitted mail triggers none", async () => {
    await send("grace@a.test", "notify-me");
    const [n] = await arrived(net.A, "henry@a.test", "Subject: Ping grace");
    assert.ok(n, "henry got the notification");
    const f = fields(n);
    assert.ok(f.includes("Auto-Submitted: auto-notified"));
    assert.ok(f.includes("From: grace@a.test"));
    assert.ok(f.includes("To: henry@a.test"));
    assert.match(n, /^Return-Path: <>\r\n/);
    assert.match(Buffer.from(n.split("\r\n\r\n")[1] ?? "", "base64").toString("utf8"), /Mail for grace/);
    assert.equal((await arrived(net.A, "grace@a.test", "Subject: notify-me")).length, 1, "grace keeps it");

    await send("grace@a.test", "notify-null", "");
    assert.equal((await arrived(net.A, "grace@a.test", "Subject: notify-null")).length, 1);
    await send("grace@a.test", "notify-auto", "dave@ext.test", ["Auto-Submitted: auto-replied"]);
    assert.equal((await arrived(net.A, "grace@a.test", "Subject: notify-auto")).length, 1);
    await wait(300);
    assert.equal((await copies(net.A, "henry@a.test", "Subject: Ping grace")).length, 1);
  });
});
