// RFC 5260 4.1: without :zone the date and currentdate tests use the local time zone. A host that
// knows the zone per instant (SieveHost.zoneAt: an IANA zone or the OS's, with daylight saving
// time) has each header date shown in the offset the zone had at that date, and currentdate in
// the offset it has now; a host with one fixed zone uses that for all.
import assert from "node:assert/strict";
import { test } from "node:test";
import { actionsOf } from "../test-kit.js";

const MSG = [
  "From: a@example.org",
  "Subject: dst",
  "Date: Wed, 15 Jul 2026 12:00:00 +0000",
  "X-Winter: Thu, 15 Jan 2026 12:00:00 +0000",
  "",
  "hi",
  "",
].join("\r\n");

/** A Central European zone, roughly: summer time from April to September. */
const zoneAt = (at: Date) => (at.getUTCMonth() >= 3 && at.getUTCMonth() <= 8 ? "+0200" : "+0100");
const now = new Date("2026-12-06T12:00:00Z");

const SCRIPT = `require ["date", "fileinto"];
if allof (date "date" "hour" "14", date "date" "zone" "+0200",
          date "x-winter" "hour" "13", date "x-winter" "zone" "+0100",
          currentdate "zone" "+0100", date :zone "+0000" "date" "hour" "12") { fileinto "per-instant"; }
elsif allof (date "date" "hour" "13", date "x-winter" "hour" "13") { fileinto "fixed"; }`;

test("with zoneAt each header date gets the offset of its own instant, currentdate today's", async () => {
  assert.deepEqual(await actionsOf(SCRIPT, { raw: MSG, host: { now, zone: "+0100", zoneAt } }), [
    "fileinto:per-instant",
  ]);
});

test("without zoneAt the one zone is used for every date", async () => {
  assert.deepEqual(await actionsOf(SCRIPT, { raw: MSG, host: { now, zone: "+0100" } }), ["fileinto:fixed"]);
});
