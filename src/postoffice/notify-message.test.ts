// The mailto notification message (notify-message.ts, RFC 5436): its header fields from the
// script, the URI and the triggering message.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseMailto } from "../sieve/extensions/mailto.js";
import { notificationMessage } from "./notify-message.js";
import { redirectedBy } from "./redirect.js";

const trigger = Buffer.from("From: Dave <dave@ext.test>\r\nSubject: =?UTF-8?B?w6l0w6k=?=\r\n\r\nHi\r\n");
const now = new Date("2026-12-06T10:00:00Z");

function build(uri: string, o: { message?: string | null; importance?: 1 | 2 | 3 } = {}) {
  const p = parseMailto(uri);
  assert.ok(p.ok);
  const text = notificationMessage({
    uri: p.uri,
    from: "grace@a.test",
    importance: o.importance ?? 2,
    message: o.message ?? null,
    trigger,
    hostname: "mail.a.test",
    now,
  }).toString("utf8");
  const [head = "", body = ""] = text.split("\r\n\r\n");
  return { head: head.split("\r\n"), body: Buffer.from(body, "base64").toString("utf8") };
}

test("fields: From, To/Cc, Auto-Submitted, the URI's subject over :message, importance", () => {
  const m = build("mailto:henry@a.test?cc=ivy@a.test&subject=Ping&X-Tag=1&from=evil@x.test&Received=x", {
    message: "Mail for grace",
    importance: 1,
  });
  assert.ok(m.head.includes("From: grace@a.test"));
  assert.ok(m.head.includes("To: henry@a.test"));
  assert.ok(m.head.includes("Cc: ivy@a.test"));
  assert.ok(m.head.includes("Subject: Ping"));
  assert.ok(m.head.includes("Auto-Submitted: auto-notified"));
  assert.ok(m.head.includes("Importance: high"));
  assert.ok(m.head.includes("X-Tag: 1"));
  // RFC 5436 2.7: a script cannot set From or trace fields
  assert.equal(m.head.filter((h) => /^(From|Received):/i.test(h)).length, 1);
  assert.match(m.body, /^Mail for grace\r\n\r\nNew message from Dave <dave@ext\.test>: été\r\n$/);
});

test("defaults: :message as subject, else a summary of the triggering message; the URI's body", () => {
  assert.ok(build("mailto:henry@a.test", { message: "Boss wrote" }).head.includes("Subject: Boss wrote"));
  const plain = build("mailto:henry@a.test");
  assert.ok(
    plain.head.includes(
      `Subject: =?UTF-8?B?${Buffer.from("New message from Dave <dave@ext.test>: été").toString("base64")}?=`,
    ),
  );
  assert.equal(build("mailto:henry@a.test?body=Look%20now").body, "Look now\r\n");
  assert.ok(build("mailto:henry@a.test", { importance: 3 }).head.includes("Importance: low"));
});

test("redirectedBy: the accounts named by X-Sieve-Redirected-From, any case", () => {
  const m = Buffer.from(
    "X-Sieve-Redirected-From: <Carol@a.test>\r\nx-sieve-redirected-from: erin@a.test\r\nSubject: s\r\n\r\nX-Sieve-Redirected-From: <body@a.test>\r\n",
  );
  assert.deepEqual([...redirectedBy(m)].sort(), ["carol@a.test", "erin@a.test"]);
});
