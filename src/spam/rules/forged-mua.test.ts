import assert from "node:assert/strict";
import { test } from "node:test";
import { forgedMuaRules } from "./forged-mua.js";
import { message, names } from "./test-input.js";

/** Headers Outlook 2000 wrote (SpamAssassin corpus, hard-ham-1/00039): its Message-ID's clock
 *  (digits 5–12, 01c228eb) agrees with the Date. */
const OUTLOOK = [
  "From: A <a@sender.example>",
  "To: b@rcpt.example",
  "Subject: lunch",
  "Date: Thu, 11 Jul 2002 11:01:45 -0400",
  "Message-ID: <000101c228eb$e04cf280$a883a8c0@wl.sender.example>",
  "X-Mailer: Microsoft Outlook CWS, Build 9.0.2416 (9.0.2911.0)",
  "X-MimeOLE: Produced By Microsoft MimeOLE V6.00.2600.0000",
].join("\n");

function outlook(over: Record<string, string>, body = "hello\n"): string {
  let head = OUTLOOK;
  for (const [name, value] of Object.entries(over)) {
    const re = new RegExp(`^${name}: .*$`, "m");
    head = re.test(head)
      ? head.replace(re, value === "" ? "" : `${name}: ${value}`)
      : `${head}\n${name}: ${value}`;
  }
  return `${head.replace(/\n+/g, "\n").replace(/^\n|\n$/g, "")}\n\n${body}`;
}

test("real Outlook headers fire nothing", () => {
  assert.deepEqual(names(forgedMuaRules, outlook({})), []);
  assert.deepEqual(names(forgedMuaRules, message()), []);
});

test("an Outlook X-Mailer on another program's Message-ID", () => {
  assert.deepEqual(names(forgedMuaRules, message("X-Mailer: Microsoft Outlook Express 6.00.2600.0000")), [
    "FORGED_MUA_OUTLOOK",
  ]);
  assert.deepEqual(names(forgedMuaRules, message("X-Mailer: Outlook")), ["FORGED_MUA_OUTLOOK"]);
  // Hotmail writes its own Message-ID for Outlook Express mail sent through it.
  const hotmail = message("X-Mailer: Microsoft Outlook Express 6.00.2600.0000").replace(
    "<1@sender.example>",
    "<DAV46ixjnzi95HfqR7700007013@hotmail.com>",
  );
  assert.deepEqual(names(forgedMuaRules, hotmail), []);
});

test("Outlook's Message-ID form without Outlook, or with the wrong clock", () => {
  assert.deepEqual(names(forgedMuaRules, outlook({ "X-MimeOLE": "", "X-Mailer": "" })), ["RATWARE_MS_HASH"]);
  // The same form through Exchange carries no X-MimeOLE either.
  assert.deepEqual(
    names(
      forgedMuaRules,
      outlook({
        "X-MimeOLE": "",
        Received: "from a by b with Microsoft Exchange Server; Thu, 11 Jul 2002 11:01:50 -0400",
      }),
    ),
    [],
  );
  const wrongClock = outlook({ "Message-ID": "<000101b00000$e04cf280$a883a8c0@wl.sender.example>" });
  assert.deepEqual(names(forgedMuaRules, wrongClock), ["MSGID_OUTLOOK_INVALID"]);
  // A wrong Date but the newest Received's date agrees: mail sent with a bad clock, not forged.
  const badDate = outlook({
    Date: "Thu, 11 Jul 2030 11:01:45 -0400",
    Received: "from a by b; Thu, 11 Jul 2002 11:02:00 -0400",
  });
  assert.deepEqual(names(forgedMuaRules, badDate), []);
});

test("HTML-only mail without an <html> tag, and from Outlook", () => {
  const html = "<p>Buy <b>now</b></p>\n";
  const ct = "Content-Type: text/html; charset=us-ascii";
  assert.deepEqual(names(forgedMuaRules, message(ct, html)), ["HTML_MIME_NO_HTML_TAG"]);
  assert.deepEqual(names(forgedMuaRules, message(ct, `<html><body>${html}</body></html>\n`)), []);
  assert.deepEqual(
    names(forgedMuaRules, outlook({ "Content-Type": "text/html" }, `<HTML>${html}</HTML>\n`)),
    ["FORGED_OUTLOOK_HTML"],
  );
});

test("a Date zone no clock has", () => {
  const zoned = (z: string) => message().replace("11:00:00 +0000", `11:00:00 ${z}`);
  assert.deepEqual(names(forgedMuaRules, zoned("+2300")), ["INVALID_DATE_TZ_ABSURD"]);
  assert.deepEqual(names(forgedMuaRules, zoned("-0007")), ["INVALID_DATE_TZ_ABSURD"]);
  for (const ok of ["+0530", "-1000", "+1345", "+1400"])
    assert.deepEqual(names(forgedMuaRules, zoned(ok)), [], ok);
});
