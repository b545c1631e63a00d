import assert from "node:assert/strict";
import { test } from "node:test";
import { parseRfc5322Date } from "../../mime/date-parse.js";
import { DATE_PARTS, datePart, formatZone, headerDatePart, parseZone } from "./date-parts.js";

const date = "Mon, 20 Jul 2009 21:44:43 +0300";

test("RFC 5260 4.2: every date part of the Pigeonhole date-parts example, :originalzone", () => {
  const want: Record<string, string> = {
    year: "2009",
    month: "07",
    day: "20",
    date: "2009-07-20",
    julian: "55032",
    hour: "21",
    minute: "44",
    second: "43",
    time: "21:44:43",
    iso8601: "2009-07-20T21:44:43+03:00",
    std11: "Mon, 20 Jul 2009 21:44:43 +0300",
    zone: "+0300",
    weekday: "1",
  };
  for (const p of DATE_PARTS) {
    assert.equal(headerDatePart(date, p, { kind: "original" }, 0), want[p], p);
  }
  assert.equal(headerDatePart("Mon, 22 Jul 2009 23:30:14 +0300", "julian", { kind: "original" }, 0), "55034");
});

test(":zone shifts the instant; zero offset is +0000 and Z in iso8601", () => {
  assert.equal(headerDatePart(date, "time", { kind: "zone", minutes: 120 }, 0), "20:44:43");
  assert.equal(headerDatePart(date, "zone", { kind: "zone", minutes: 120 }, 0), "+0200");
  assert.equal(headerDatePart(date, "iso8601", { kind: "local" }, 0), "2009-07-20T18:44:43Z");
  assert.equal(headerDatePart(date, "zone", { kind: "local" }, 0), "+0000");
  assert.equal(headerDatePart(date, "date", { kind: "zone", minutes: -720 }, 0), "2009-07-20");
  assert.equal(headerDatePart(date, "date", { kind: "zone", minutes: 600 }, 0), "2009-07-21");
  assert.equal(
    headerDatePart(date, "iso8601", { kind: "zone", minutes: -330 }, 0),
    "2009-07-20T13:14:43-05:30",
  );
});

test("Received: the date after the last semicolon", () => {
  const r = "from a.example by b.example; Tue, 21 Jul 2009 01:02:03 -0000";
  assert.equal(headerDatePart(r, "date", { kind: "original" }, 0), "2009-07-21");
  assert.equal(headerDatePart("not a date", "date", { kind: "original" }, 0), null);
});

test("RFC 5322 4.3 obsolete forms: two-digit years, named zones, comments, no weekday, no seconds", () => {
  assert.deepEqual(parseRfc5322Date("20 Jul 09 21:44 GMT"), {
    time: Date.UTC(2009, 6, 20, 21, 44),
    zoneMinutes: 0,
  });
  assert.deepEqual(parseRfc5322Date("Mon (Monday), 20 Jul 1999 21:44:43 EDT (daylight)"), {
    time: Date.UTC(1999, 6, 21, 1, 44, 43),
    zoneMinutes: -240,
  });
  assert.equal(parseRfc5322Date("1 Jan 104 00:00:00 +0000")?.time, Date.UTC(2004, 0, 1));
  assert.equal(parseRfc5322Date("Thu, 01 Jan 1970 00:00:00 -0100")?.time, 3_600_000);
});

test("not a date: garbage, impossible days, trailing junk", () => {
  for (const bad of [
    "",
    "yesterday",
    "31 Feb 2009 10:00:00 +0000",
    "20 Jul 2009 24:00:00 +0000",
    "20 Jul 2009 10:00:00 +0000 extra",
    "20 Jul 2009 10:00:00 +000",
    "20 Foo 2009 10:00:00 +0000",
    "20 Jul 2009 10:00:00 <x>",
  ]) {
    assert.equal(parseRfc5322Date(bad), null, bad);
  }
});

test("zones: parse and format", () => {
  assert.equal(parseZone("+0200"), 120);
  assert.equal(parseZone("-0530"), -330);
  assert.equal(parseZone("+02:00"), null);
  assert.equal(parseZone("0200"), null);
  assert.equal(parseZone("+0260"), null);
  assert.equal(formatZone(0), "+0000");
  assert.equal(formatZone(-90), "-0130");
});

test("datePart of the epoch in UTC", () => {
  assert.equal(datePart(0, 0, "julian"), "40587");
  assert.equal(datePart(0, 0, "weekday"), "4");
});
