import assert from "node:assert/strict";
import { test } from "node:test";
import { isAddrSpec, isValidFrom, parseMailto } from "./mailto.js";
import {
  encodeUrl,
  fromProblem,
  methodProblem,
  notifyMethodCapability,
  optionProblem,
  validNotifyMethods,
} from "./notify-params.js";

test("RFC 6068 / RFC 5436: recipients, subject, body and headers", () => {
  const p = parseMailto(
    "mailto:alm@example.com,bob@example.org?cc=carol@example.net&subject=Hello%20there&body=Line%0D%0Atwo&X-Tag=a%20b&from=evil@example.com&Auto-Submitted=no",
  );
  assert.ok(p.ok);
  assert.deepEqual(p.uri.recipients, [
    { address: "alm@example.com", cc: false },
    { address: "bob@example.org", cc: false },
    { address: "carol@example.net", cc: true },
  ]);
  assert.equal(p.uri.subject, "Hello there");
  assert.equal(p.uri.body, "Line\r\ntwo");
  // RFC 5436 2.7: From and Auto-Submitted cannot come from the URI.
  assert.deepEqual(p.uri.headers, [{ name: "X-Tag", value: "a b" }]);
});

test("Pigeonhole's invalid mailto URIs are refused with the reason", () => {
  const bad: [string, RegExp][] = [
    ["mailto:stephan@example.org;?header=frop", /invalid character ';' in 'to' part/],
    ["mailto:stephan@example.org?header<=frop", /invalid character '<' in header field name/],
    ["mailto:stephan@example.org?header=fr>op", /invalid character '>' in header field value/],
    ["mailto:stephan@example.org?header:=frop", /invalid header field name/],
    ["mailto:stephan%23example.org", /invalid recipient/],
    ["mailto:stephan@example.org?to=nico%23frop.example.org", /invalid recipient/],
    ["mailto:a@example.org?subject=x%0D%0ABcc:%20x@y.z", /invalid header field value/],
    ["mailto:a@example.org?subject=%zz", /%-encoding/],
    ["mailto:a@example.org?subject=%00", /%-encoding/],
    ["mailto:", /no recipients/],
    ["http://example.org/", /not a mailto URI/],
  ];
  for (const [uri, why] of bad) {
    const p = parseMailto(uri);
    assert.equal(p.ok, false, uri);
    if (!p.ok) assert.match(p.error, why, uri);
  }
});

test("recipients may be mailboxes with a display name (quoted commas kept), as Pigeonhole accepts", () => {
  const to = encodeURIComponent("=?utf-8?q?G=C3=BCnther?= M. Karotte <g.m.karotte@example.com>");
  const cc = encodeURIComponent('"Doe, John" <john@example.com>, plain@example.com');
  const p = parseMailto(`mailto:?to=${to}&cc=${cc}`);
  assert.ok(p.ok);
  assert.deepEqual(p.uri.recipients, [
    { address: "g.m.karotte@example.com", name: "=?utf-8?q?G=C3=BCnther?= M. Karotte", cc: false },
    { address: "john@example.com", name: '"Doe, John"', cc: true },
    { address: "plain@example.com", cc: true },
  ]);
  assert.equal(parseMailto(`mailto:?to=${encodeURIComponent("Name <not an address>")}`).ok, false);
});

test("duplicates merge (a To beats a Cc), and the recipient count is capped", () => {
  const p = parseMailto("mailto:a@example.org?cc=A@example.org&to=b@example.org,c@example.org", {
    maxRecipients: 2,
    maxHeaders: 16,
  });
  assert.ok(p.ok);
  assert.deepEqual(p.uri.recipients, [
    { address: "a@example.org", cc: false },
    { address: "b@example.org", cc: false },
  ]);
});

test("addresses and :from", () => {
  assert.ok(isAddrSpec("first.last+tag@example.org"));
  assert.ok(isAddrSpec('"odd name"@example.org'));
  assert.ok(!isAddrSpec("stephan#example.org"));
  assert.ok(!isAddrSpec("a..b@example.org"));
  assert.ok(isValidFrom("Stephan <stephan@example.org>"));
  assert.ok(!isValidFrom(""));
  assert.match(fromProblem("stephan#example.org") ?? "", /invalid :from/);
});

test("RFC 5435: methods, capability, options", () => {
  assert.equal(methodProblem("mailto:stephan@example.org"), null);
  assert.match(methodProblem("xmpp:someone@example.org") ?? "", /not supported/);
  assert.match(methodProblem("no scheme") ?? "", /invalid notify method URI/);
  assert.ok(validNotifyMethods(["mailto:stephan@example.org"]));
  assert.ok(!validNotifyMethods(["mailto:stephan%23example.org"]));
  assert.equal(notifyMethodCapability("mailto:stephan@example.org", "Online"), "maybe");
  assert.equal(notifyMethodCapability("mailto:stephan@example.org", "other"), null);
  assert.equal(optionProblem("frop=frml"), null);
  for (const o of ["", "frop", "_frop=", "=frop", "frop=frml\nfrop"])
    assert.notEqual(optionProblem(o), null, o);
});

test("RFC 5435 6 :encodeurl (Pigeonhole's example)", () => {
  assert.equal(encodeUrl("\\frop\\&fruts/^@"), "%5Cfrop%5C%26fruts%2F%5E%40");
  assert.equal(encodeUrl("a-b_c.d~ é"), "a-b_c.d~%20%C3%A9");
});

test("linear on hostile URIs: 200 KB of '%41' and of ',' parse in well under a second", () => {
  const t0 = process.hrtime.bigint();
  parseMailto(`mailto:a@example.org?subject=${"%41".repeat(70_000)}`);
  parseMailto(`mailto:${",".repeat(200_000)}`);
  parseMailto(`mailto:a@example.org?${"x=&".repeat(70_000)}`);
  assert.equal(isAddrSpec(`${"a.".repeat(100_000)}@x`), false);
  // Generous bound: quadratic behaviour on 200 KB would take minutes, not this.
  assert.ok(Number(process.hrtime.bigint() - t0) / 1e6 < 5000);
});
