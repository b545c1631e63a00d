import assert from "node:assert/strict";
import { test } from "node:test";
import { certificateNames, isPublicName, sameNames, splitNames } from "./names.js";

test("public names: dotted DNS names, not IPs, localhost or reserved top-level names", () => {
  for (const n of ["mail.example.com", "MX.Example.ORG.", "a-b.c.d.net"])
    assert.equal(isPublicName(n), true, n);
  for (const n of [
    "localhost",
    "mail",
    "127.0.0.1",
    "::1",
    "mail.example.test",
    "box.local",
    "x.example",
    "x.invalid",
    "a.localhost",
    "test",
    "bad_name.example.com",
    "",
  ])
    assert.equal(isPublicName(n), false, n);
});

test("the host name first, then autoconfig/mta-sts per domain, [autoconfig] hostname and extras, sorted, once each", () => {
  const names = certificateNames({
    hostname: "Mail.Example.com",
    autoconfigHostname: "imap.example.com",
    domains: ["example.com", "Example.ORG"],
    extraNames: ["mail.example.com", "webmail.example.com"],
  });
  assert.deepEqual(names, [
    "mail.example.com",
    "autoconfig.example.com",
    "autoconfig.example.org",
    "imap.example.com",
    "mta-sts.example.com",
    "mta-sts.example.org",
    "webmail.example.com",
  ]);
});

test("split into certificates of at most 100 names; set comparison ignores order and case", () => {
  const many = Array.from({ length: 250 }, (_, i) => `n${i}.example.com`);
  assert.deepEqual(
    splitNames(many).map((g) => g.length),
    [100, 100, 50],
  );
  assert.equal(sameNames(["a.example.com", "B.example.com"], ["b.example.com", "a.example.com"]), true);
  assert.equal(sameNames(["a.example.com"], ["a.example.com", "b.example.com"]), false);
});
