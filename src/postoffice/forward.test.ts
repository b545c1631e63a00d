// Forwarding aliases done right (forward.ts, queue-remote.ts): an outside sender's message to an
// alias of A that forwards to another domain reaches B with an SRS envelope sender of A (SPF
// passes at B for it) and A's ARC set, which B verifies (arc=pass) and whose
// ARC-Authentication-Results show what A saw (SPF, DKIM, DMARC of ext.test passing). A bounce
// to the SRS address on A's port 25 is reversed and relayed to the original sender; a forged or
// altered SRS address is refused with 550 5.1.1.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { commandSkip } from "../testing/requires.js";
import {
  arrived,
  copies,
  type ForwardingNet,
  fields,
  message,
  queueEmpties,
  startForwardingNet,
  swaks,
} from "./test-forwarding.js";

const skip = commandSkip("swaks");

describe("forwarding aliases: SRS and ARC", { skip }, () => {
  let net: ForwardingNet;

  before(async () => {
    net = await startForwardingNet({ aUsers: ["alice@a.test"] });
    await net.A.store.directory.addAlias("fwd@a.test", ["bob@b.test"]);
  });
  after(async () => {
    await net?.stop();
  });

  test("the forwarded copy: SRS envelope sender passing SPF at B, A's ARC set verified, original results shown", async () => {
    await net.sendExt({ to: "fwd@a.test", subject: "alias-fwd" });
    const [got] = await arrived(net.B, "bob@b.test", "Subject: alias-fwd");
    assert.ok(got, "bob got the forwarded copy");
    const f = fields(got);
    // SRS0=HHHH=TT=ext.test=dave@mail.a.test (srsDomain defaults to server.hostname)
    const rp = f.find((x) => x.startsWith("Return-Path:")) ?? "";
    assert.match(rp, /^Return-Path: <SRS0=[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=ext\.test=dave@mail\.a\.test>$/);
    const ar = f.find((x) => x.startsWith("Authentication-Results: mx.b.test;")) ?? "";
    assert.match(ar, /spf=pass [^;]*smtp\.mailfrom="SRS0=[^;\s"]+@mail\.a\.test"/);
    assert.match(ar, /arc=pass \(i=1 spf=pass dkim=pass dkdomain=ext\.test/);
    assert.match(ar, /dkim=pass header\.i=@ext\.test/);
    assert.match(ar, /dmarc=pass/);
    // A's set: one of each, i=1, cv=none (no chain before), signed by a.test's RSA key
    const seal = f.filter((x) => x.startsWith("ARC-Seal:"));
    const ams = f.filter((x) => x.startsWith("ARC-Message-Signature:"));
    const aar = f.filter((x) => x.startsWith("ARC-Authentication-Results:"));
    assert.equal(seal.length, 1);
    assert.equal(ams.length, 1);
    assert.equal(aar.length, 1);
    assert.match(seal[0]!, /i=1;/);
    assert.match(seal[0]!, /cv=none/);
    assert.match(seal[0]!, /d=a\.test/);
    assert.match(seal[0]!, /a=rsa-sha256/);
    // The original results as A saw them: dave@ext.test's SPF, ext.test's DKIM and DMARC
    assert.match(aar[0]!, /^ARC-Authentication-Results: i=1; mail\.a\.test;/);
    assert.match(aar[0]!, /spf=pass [^;]*smtp\.mailfrom=dave@ext\.test/);
    assert.match(aar[0]!, /dkim=pass header\.i=@ext\.test/);
    assert.match(aar[0]!, /dmarc=pass[^;]*header\.from=ext\.test/);
    await queueEmpties(net.A);
  });

  test("a bounce to the SRS address is relayed to the original sender; a forged one is refused", async () => {
    // The SRS address as A wrote it, taken from a forwarded copy
    await net.sendExt({ to: "fwd@a.test", subject: "srs-source" });
    const [fwd] = await arrived(net.B, "bob@b.test", "Subject: srs-source");
    const srs = /^Return-Path: <([^>]+)>/.exec(fwd ?? "")?.[1] ?? "";
    assert.match(srs, /^SRS0=/);
    await queueEmpties(net.A);

    const bounce = message({ from: "MAILER-DAEMON@b.test", to: srs, subject: "srs-bounce" });
    const ok = await swaks(net.A.ports.smtp, { from: "", to: srs, data: bounce });
    assert.equal(ok.code, 0, ok.out);
    const back = await arrived(net.B, "dave@ext.test", "Subject: srs-bounce");
    assert.equal(back.length, 1, "dave got the bounce");
    assert.match(back[0]!, /^Return-Path: <>\r\n/);
    // An SRS address of ours is accepted case-insensitively (some MTAs lower-case addresses)
    const lower = await swaks(net.A.ports.smtp, { from: "", to: srs.toLowerCase(), data: bounce });
    assert.equal(lower.code, 0, lower.out);

    // Altered hash, or someone else's address behind a valid-looking hash: 550 5.1.1
    const parts = srs.split("=");
    const badHash = [parts[0], parts[1] === "AAAA" ? "BBBB" : "AAAA", ...parts.slice(2)].join("=");
    const badUser = srs.replace("=dave@", "=mallory@");
    for (const to of [badHash, badUser, "SRS0=xxxx@mail.a.test"]) {
      const r = await swaks(net.A.ports.smtp, { from: "", to, data: bounce });
      assert.notEqual(r.code, 0);
      assert.match(r.out, /<\*\* 550 5\.1\.1/, `${to}: ${r.out}`);
    }
    await queueEmpties(net.A);
    assert.equal((await copies(net.B, "dave@ext.test", "Subject: srs-bounce")).length, 2);
  });
});
