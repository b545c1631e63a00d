// What an import shows while it runs and at the end: the terminal bar (redrawn in place, at most
// 10 times a second), plain lines for logs, and the summary with its failures.
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatDuration, progressLine, progressPrinter, summaryLines } from "./progress.js";
import type { ImportProgress } from "./types.js";

const p = (done: number, total: number | null, extra: Partial<ImportProgress> = {}): ImportProgress => ({
  folder: "INBOX",
  done,
  total,
  bytes: 0,
  duplicates: 0,
  failed: 0,
  ...extra,
});

function sink() {
  const writes: string[] = [];
  const out = {
    write(s: string) {
      writes.push(s);
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  return { out, writes };
}

test("progressLine: bar, counts, rate and time left; no ETA without a total", () => {
  assert.equal(
    progressLine(p(250, 1000, { duplicates: 3, failed: 1 }), 5000, true),
    "INBOX  [######------------------]  250/1000 (25%)  50 msg/s  ETA 15s  3 duplicates  1 failed",
  );
  assert.equal(progressLine(p(250, 1000), 5000, false), "INBOX  250/1000 (25%)  50 msg/s  ETA 15s");
  assert.equal(progressLine(p(120, null), 2000, true), "INBOX  120 messages  60 msg/s");
  assert.deepEqual(
    [formatDuration(59.4), formatDuration(61), formatDuration(3725), formatDuration(Number.NaN)],
    ["59s", "1m01s", "1h02m", "?"],
  );
});

test("on a terminal: one line redrawn in place, at most every 100 ms, cleared at the end", () => {
  let now = 0;
  const s = sink();
  const bar = progressPrinter({ out: s.out, tty: true, now: () => now });
  bar.onProgress(p(1, 10));
  now = 50;
  bar.onProgress(p(2, 10)); // too soon: not drawn
  now = 150;
  bar.onProgress(p(3, 10));
  bar.end();
  assert.equal(s.writes.length, 3);
  assert.match(s.writes[0]!, /^\rINBOX {2}\[#*-*\] {2}1\/10 \(10%\).*\x1b\[K$/);
  assert.match(s.writes[1]!, /^\rINBOX .* 3\/10 \(30%\)/);
  assert.equal(s.writes[2], "\r\x1b[K");
});

test("elsewhere: a plain line every few seconds, no escapes", () => {
  let now = 0;
  const s = sink();
  const lines = progressPrinter({ out: s.out, tty: false, everySeconds: 5, now: () => now });
  for (let i = 1; i <= 12; i++) {
    now = i * 1000;
    lines.onProgress(p(i * 10, 120));
  }
  lines.end();
  assert.deepEqual(
    s.writes.map((w) => w.split("  ").slice(0, 2).join(" ")),
    ["INBOX 10/120 (8%)", "INBOX 60/120 (50%)", "INBOX 110/120 (91%)"],
  );
  assert.ok(s.writes.every((w) => w.endsWith("\n") && !w.includes("\x1b")));
});

test("summary: counts, kept UIDs, the listed failures and how many more there were", () => {
  assert.deepEqual(
    summaryLines({
      folders: 2,
      imported: 1500,
      duplicates: 4,
      failed: 3,
      failures: [
        { folder: "INBOX", label: "cur/1.eml", reason: "empty message" },
        { folder: "Sent", label: "UID 17", reason: "damaged" },
      ],
      bytes: 3 * 1024 * 1024,
      keptUids: 2,
      elapsedMs: 3000,
    }),
    [
      "imported 1500 messages (3.0 MiB) into 2 folders in 3s (500 msg/s)",
      "skipped 4 duplicates, 3 failed",
      "kept UIDVALIDITY and UIDs in 2 folders",
      "failed: INBOX: cur/1.eml: empty message",
      "failed: Sent: UID 17: damaged",
      "… and 1 more failures",
    ],
  );
});
