// Chaining the global scripts with the user's (Dovecot's sieve_before / sieve_after): one
// implicit keep for the chain, cancelled by any script's fileinto, redirect, discard or reject;
// explicit keeps and runtime errors always file; duplicates merged (RFC 5228 4.2).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { SieveAction, SieveResult } from "../sieve/types.js";
import { ChainResult } from "./sieve-plan.js";

const ok = (...actions: SieveAction[]): SieveResult => ({ actions, edited: null, error: null });
const implicit = (flags: string[] = []): SieveAction => ({ type: "keep", flags, implicit: true });

test("no script cancels the implicit keep: one keep with every script's flags", () => {
  const c = new ChainResult();
  c.add(ok(implicit(["$A"])));
  c.add(ok(implicit(["$B", "$A"])));
  c.add(ok(implicit([])));
  assert.deepEqual(c.finish().plan, [{ mailbox: null, flags: ["$A", "$B"], create: false }]);
});

test("the before script's fileinto cancels the user script's implicit keep", () => {
  const c = new ChainResult();
  c.add(ok({ type: "fileinto", mailbox: "Spam", flags: [], create: false }));
  c.add(ok(implicit()));
  assert.equal(c.implicitKeep, false);
  assert.deepEqual(c.finish().plan, [{ mailbox: "Spam", flags: [], create: false }]);
});

test("an explicit keep stays whatever later scripts do; fileinto INBOX and keep are separate targets", () => {
  const c = new ChainResult();
  c.add(ok({ type: "keep", flags: ["\\Seen"], implicit: false }));
  c.add(ok({ type: "fileinto", mailbox: "inbox", flags: ["$X"], create: false }));
  c.add(ok({ type: "fileinto", mailbox: "INBOX", flags: ["$Y"], create: false }));
  assert.deepEqual(c.finish().plan, [
    { mailbox: null, flags: ["\\Seen"], create: false },
    { mailbox: "INBOX", flags: ["$X", "$Y"], create: false },
  ]);
});

test("a runtime error's keep is explicit: a later script's fileinto does not cancel it", () => {
  const c = new ChainResult();
  c.add({ actions: [implicit()], edited: null, error: { line: 3, column: 1, message: "too many steps" } });
  c.add(ok({ type: "fileinto", mailbox: "Later", flags: [], create: true }));
  assert.deepEqual(
    c.finish().plan.map((p) => p.mailbox),
    [null, "Later"],
  );
});

test("discard files nothing; reject files nothing and is reported; redirects once per address", () => {
  const d = new ChainResult();
  d.add(ok({ type: "discard" }));
  assert.deepEqual(d.finish().plan, []);

  const r = new ChainResult();
  r.add(ok({ type: "fileinto", mailbox: "A", flags: [], create: false }));
  r.add(ok({ type: "reject", reason: "no", extended: false }));
  const out = r.finish();
  assert.deepEqual(out.plan, []);
  assert.deepEqual(out.reject, { type: "reject", reason: "no", extended: false });

  const x = new ChainResult();
  x.add(ok({ type: "redirect", address: "a@x.example", copy: true }, implicit()));
  x.add(ok({ type: "redirect", address: "A@x.example", copy: false }));
  assert.deepEqual(x.finish().redirects, [{ address: "a@x.example" }]);
});

test("the first vacation of the chain is the one sent", () => {
  const v = (handle: string): SieveAction => ({
    type: "vacation",
    reason: "away",
    mime: false,
    subject: null,
    from: null,
    addresses: [],
    handle,
    seconds: 86400,
  });
  const c = new ChainResult();
  c.add(ok(v("first"), implicit()));
  c.add(ok(v("second"), implicit()));
  assert.equal(c.finish().vacation?.handle, "first");
});
