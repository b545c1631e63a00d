import assert from "node:assert/strict";
import { test } from "node:test";
import { buildMessageView } from "../message-view.js";
import { adLabelRules } from "./ad-label.js";
import { message, NOW, names, ruleInput } from "./test-input.js";

/** A message whose Subject field is written as these raw bytes (no RFC 2047 encoding). */
function rawSubject(bytes: Buffer): string[] {
  const { input } = ruleInput(message());
  const body = Buffer.concat([
    Buffer.from("From: a@sender.example\r\nTo: b@rcpt.example\r\nSubject: "),
    bytes,
    Buffer.from("\r\nDate: Sun, 06 Dec 2026 11:00:00 +0000\r\nMessage-ID: <1@sender.example>\r\n\r\nhi\r\n"),
  ]);
  return adLabelRules.run({ input, view: buildMessageView(body), now: NOW }).map((s) => s.name);
}

const withSubject = (subject: string) => message().replace("Subject: lunch", `Subject: ${subject}`);

test("subjects labelled as unsolicited advertising fire SUBJ_AD_LABEL", () => {
  for (const subject of [
    "ADV: Lowest life insurance rates available!",
    "Adv: Mortgage Quotes Fast Online",
    "  adv : spaced",
    "[ADV] bracketed",
    "(ADV) parenthesised",
    "ADV:ADLT hot pictures",
    "未承諾広告※灼熱！出会いの広場",
    "=?ISO-2022-JP?B?GyRCTCQ+NUJ6OS05cCIoPVAycSQkGyhC?=",
    "(광고) 할인",
    "=?UTF-8?B?KOq0keqzoCkg7ZWg7J24?=",
    "[ 광 고 ] spaced",
  ])
    assert.deepEqual(names(adLabelRules, withSubject(subject)), ["SUBJ_AD_LABEL"], subject);
});

test("other subjects do not fire", () => {
  for (const subject of [
    "lunch",
    "Advice: which ISDN card?",
    "Ad: the one on page 3",
    "Re: our advertising budget",
    "Re: ADV: a reply quoting an advert is a conversation",
    "광고 문의드립니다",
    "広告の件",
    "",
  ])
    assert.deepEqual(names(adLabelRules, withSubject(subject)), [], subject);
});

test("raw 8-bit subjects are read in the legacy CJK charsets", () => {
  // "[광고] 할인" in EUC-KR and "未承諾広告※" in Shift_JIS, as spamware sent them: unencoded.
  assert.deepEqual(rawSubject(Buffer.from("5bb1a4b0ed5d20c7d2c0ce", "hex")), ["SUBJ_AD_LABEL"]);
  assert.deepEqual(rawSubject(Buffer.from("96a28fb391f88d4c8d9081a6", "hex")), ["SUBJ_AD_LABEL"]);
  // Latin-1 text that is no label in any of the readings.
  assert.deepEqual(rawSubject(Buffer.from("caf\xe9 cr\xe8me", "latin1")), []);
});

test("hostile subjects cost what their prefix does", () => {
  for (const subject of ["\xb1".repeat(1_000_000), `${"x".repeat(1_000_000)}ADV:`, "[".repeat(1_000_000)]) {
    const started = process.cpuUsage();
    const signals = adLabelRules.run(ruleInput(withSubject(subject)));
    const used = process.cpuUsage(started);
    assert.deepEqual(signals, []);
    assert.ok((used.user + used.system) / 1000 < 2000);
  }
});
