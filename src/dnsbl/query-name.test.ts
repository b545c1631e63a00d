// RFC 5782 query names, the RFC's own examples (§2.1, §2.4) plus the edge forms of IPv6.
import assert from "node:assert/strict";
import { test } from "node:test";
import { domainQueryName, ipQueryName } from "./query-name.js";

test("IPv4: octets reversed (RFC 5782 §2.1)", () => {
  assert.equal(ipQueryName("192.0.2.99", "bad.example.com"), "99.2.0.192.bad.example.com");
});

test("IPv6: 32 nibbles reversed (RFC 5782 §2.4)", () => {
  assert.equal(
    ipQueryName("2001:db8:1:2:3:4:567:89ab", "ugly.example.com"),
    "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ugly.example.com",
  );
  assert.equal(
    ipQueryName("2001:db8::1", "z.example"),
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.z.example",
  );
  assert.equal(ipQueryName("::1", "z.example"), `1${".0".repeat(31)}.z.example`);
  assert.equal(ipQueryName("::ffff:192.0.2.1", "z.example")?.startsWith("1.0.2.0.0.0.0.c"), true);
  assert.equal(ipQueryName("not an ip", "z.example"), null);
});

test("domains: asked as themselves; IPs and junk are not asked", () => {
  assert.equal(domainQueryName("Spam.Example.", "dbl.example"), "spam.example.dbl.example");
  assert.equal(domainQueryName("192.0.2.1", "dbl.example"), null);
  assert.equal(domainQueryName("localhost", "dbl.example"), null);
  assert.equal(domainQueryName("a b.example", "dbl.example"), null);
  assert.equal(domainQueryName(`${"a".repeat(250)}.example`, "dbl.example"), null);
});
