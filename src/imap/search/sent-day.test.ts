import assert from "node:assert/strict";
import { test } from "node:test";
import { sentDay } from "./sent-day.js";

const day = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / 86400000;

test("sentDay: the calendar date as written, time and zone disregarded (RFC 3501 6.4.4)", () => {
  const cases: [string | null, number | null][] = [
    ["Sat, 24 Mar 2007 23:00:00 +0200", day(2007, 3, 24)],
    ["Sun, 25 Mar 2007 00:00:00 +0200", day(2007, 3, 25)],
    ["Sun, 25 Mar 2007 23:59:59 -1200", day(2007, 3, 25)],
    ["25 Mar 2007 01:00 EDT", day(2007, 3, 25)],
    ["  Mon ,  1 Jan 2024 10:00:00 +0000", day(2024, 1, 1)],
    ["(comment) Tue, 2 Jan 2024 10:00:00 +0000", day(2024, 1, 2)],
    ["1 January 2024 10:00 +0000", day(2024, 1, 1)],
    ["Fri, 3 Mar 07 10:00 GMT", day(2007, 3, 3)], // RFC 5322 4.3 obs-year
    ["Fri, 3 Mar 99 10:00 GMT", day(1999, 3, 3)],
    ["Fri, 3 Mar 107 10:00 GMT", day(2007, 3, 3)],
    ["2024-02-29T23:30:00Z", day(2024, 2, 29)], // not RFC 5322: what Date.parse reads, in UTC
    ["", null],
    [null, null],
    ["not a date", null],
  ];
  for (const [input, want] of cases) assert.equal(sentDay(input), want, String(input));
});

test("sentDay: long hostile input is read in linear time", () => {
  const input = `${"1 ".repeat(50_000)}x`;
  const t0 = process.cpuUsage();
  sentDay(input);
  sentDay(`(${"(".repeat(50_000)}`);
  const used = process.cpuUsage(t0);
  assert.ok(used.user + used.system < 2_000_000, "well under 2 s of CPU");
});
