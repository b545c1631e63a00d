import assert from "node:assert/strict";
import { test } from "node:test";
import { addressesIn, headerRules, writtenRules } from "./header-anomalies.js";
import { message, names } from "./test-input.js";

test("missing and malformed fields", () => {
  const cases: [string, string[]][] = [
    [message(), []],
    ["From: a@b.example\nTo: c@d.example\nSubject: x\n\nbody\n", ["MISSING_DATE", "MISSING_MID"]],
    [
      "Date: Sun, 06 Dec 2026 11:00:00 +0000\nMessage-ID: <1@x>\n\nbody\n",
      ["MISSING_FROM", "MISSING_SUBJECT"],
    ],
    [message().replace("Sun, 06 Dec 2026 11:00:00", "Tue, 08 Dec 2026 11:00:00"), ["DATE_IN_FUTURE"]],
    [message().replace("Sun, 06 Dec 2026 11:00:00", "Sun, 29 Nov 2026 11:00:00"), ["DATE_IN_PAST"]],
    [message().replace("Sun, 06 Dec 2026 11:00:00 +0000", "yesterday-ish"), ["INVALID_DATE"]],
    // Measured and removed (header-anomalies.ts): a bare-IP Message-ID is not a sign.
    [message().replace("<1@sender.example>", "<abc@192.0.2.7>"), []],
    [message().replace("<1@sender.example>", "<1@[192.0.2.7]> (a comment)"), []],
    // RFC 5322 §3.6.4: "<" id-left "@" id-right ">", as spamware often does not write it.
    [message().replace("<1@sender.example>", "PM200011:12:45 AM"), ["INVALID_MSGID"]],
    [message().replace("<1@sender.example>", "<39895881_74317521>"), ["INVALID_MSGID"]],
    [message().replace("<1@sender.example>", "abc@sender.example"), ["INVALID_MSGID"]],
    [message().replace("<1@sender.example>", "<a b@sender.example>"), ["INVALID_MSGID"]],
    [message().replace("<1@sender.example>", "<a@b@sender.example>"), ["INVALID_MSGID"]],
    [message().replace("<1@sender.example>", ""), ["INVALID_MSGID"]],
  ];
  for (const [raw, want] of cases) assert.deepEqual(names(headerRules, raw), want, raw);
});

test("what the author wrote", () => {
  const to = Array.from({ length: 25 }, (_, i) => `u${i}@x.example`).join(", ");
  const cases: [string, string[]][] = [
    [message(), []],
    [
      message().replace("From: A <a@sender.example>", "From: service@paypal.example <a@sender.example>"),
      ["FROM_NAME_OTHER_ADDR"],
    ],
    [message().replace("From: A <a@sender.example>", '"a@sender.example" <a@sender.example>'), []],
    [message().replace("To: b@rcpt.example", `To: ${to}`), ["TO_MANY"]],
    [message().replace("Subject: lunch", "Subject: FREE MONEY FOR YOU TODAY"), ["SUBJ_ALL_CAPS"]],
    [message().replace("Subject: lunch", "Subject: OK"), []],
    [message().replace("Subject: lunch", "Subject: Win $$$ now!!!"), ["SUBJ_EXCESS_PUNCT"]],
  ];
  for (const [raw, want] of cases) assert.deepEqual(names(writtenRules, raw), want, raw);
});

test("addresses in a display name", () => {
  assert.deepEqual(addressesIn("Support support@bank.example."), ["support@bank.example"]);
  assert.deepEqual(addressesIn("@@@@"), []);
  assert.deepEqual(addressesIn("Alice"), []);
});
