// A redirect loop across two servers (redirect.ts): lena@a.test redirects to max@b.test, whose
// script on B redirects back to lena@a.test. On its way back the message carries both
// X-Sieve-Redirected-From fields, so lena's script does not send it out again: lena keeps it,
// nothing loops. On the way: A's SRS0 becomes B's SRS1 (pointing back at A), A's ARC set (i=1)
// gets B's on top (i=2, cv=pass), and A's check of the chain passes.
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

describe("a redirect loop between two servers", { skip }, () => {
  let net: ForwardingNet;

  before(async () => {
    net = await startForwardingNet({ aUsers: ["lena@a.test"], bUsers: ["max@b.test"], bSends: true });
    await activeScript(net.A, "lena@a.test", 'redirect "max@b.test";\r\n');
    await activeScript(net.B, "max@b.test", 'redirect "lena@a.test";\r\n');
  });
  after(async () => {
    await net?.stop();
  });

  test("A → B → A stops at A: lena keeps it; SRS1 and an ARC chain of two on the way back", async () => {
    await net.sendExt({ to: "lena@a.test", subject: "loop-2" });
    const [back] = await arrived(net.A, "lena@a.test", "Subject: loop-2");
    assert.ok(back, "lena kept the message that came back");
    const f = fields(back);
    assert.ok(f.includes("X-Sieve-Redirected-From: <lena@a.test>"));
    assert.ok(f.includes("X-Sieve-Redirected-From: <max@b.test>"));
    // B forwarded A's SRS0 address: SRS1 in B's domain pointing at A's
    assert.match(
      f[0] ?? "",
      /^Return-Path: <SRS1=[^=]{4}=mail\.a\.test==[^=]{4}=[A-Z2-7]{2}=ext\.test=dave@mx\.b\.test>$/,
    );
    const ar = f.find((x) => x.startsWith("Authentication-Results: mail.a.test;")) ?? "";
    assert.match(ar, /spf=pass/);
    assert.match(ar, /arc=pass \(i=2 /);
    assert.equal(f.filter((x) => x.startsWith("ARC-Seal:")).length, 2);
    assert.ok(f.some((x) => /^ARC-Seal: i=2;[\s\S]*cv=pass/.test(x) && /d=b\.test/.test(x)));
    await Promise.all([queueEmpties(net.A), queueEmpties(net.B)]);
    await wait(300);
    assert.equal((await copies(net.A, "lena@a.test", "Subject: loop-2")).length, 1);
    assert.deepEqual(await copies(net.B, "max@b.test", "Subject: loop-2"), []);
    assert.deepEqual(await net.A.store.queue.listQueue(), []);
    assert.deepEqual(await net.B.store.queue.listQueue(), []);
  });
});
