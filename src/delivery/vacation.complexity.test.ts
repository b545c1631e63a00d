// Issue 18: the vacation responder's text handling runs on hostile input (an inbound message's
// Auto-Submitted field) and on the user's own HTML (VacationResponse/set, up to a JMAP request's
// size). Each used a regex that rescans the rest of the text from every unclosed "(" / "<" /
// "<style>": quadratic, so one message or one setting froze the whole server.
// n is small enough that the old regexes fail in seconds; assertLinear raises it for the linear code
// until a run is long enough to time.
import assert from "node:assert/strict";
import { test } from "node:test";
import { assertLinear } from "../testing/complexity.js";
import { htmlToText } from "./vacation-message.js";
import { vacationVerdict } from "./vacation-rules.js";

test('Auto-Submitted of many unclosed "(" is judged in linear time', () => {
  const header = (n: number) =>
    Buffer.from(
      `From: <a@remote.example>\r\nTo: <bob@example.test>\r\nAuto-Submitted: no ${"(".repeat(n)}\r\n\r\n`,
    );
  assert.deepEqual(
    vacationVerdict({ header: header(3), mailFrom: "a@remote.example", own: ["bob@example.test"] }),
    {
      reply: false,
      reason: "auto-submitted",
    },
  );
  assertLinear(
    "Auto-Submitted (((",
    header,
    (h) => vacationVerdict({ header: h, mailFrom: "a@remote.example", own: ["bob@example.test"] }),
    { n: 8000, minMs: 0.5, reps: 5 },
  );
});

test('vacation HTML of many "<" or "<style>" becomes text in linear time', () => {
  assert.equal(htmlToText("a<<b"), "a<<b");
  assertLinear("html <<<", (n) => "<".repeat(n), htmlToText, { n: 8000, minMs: 0.5, reps: 5 });
  assertLinear("html <style>", (n) => "<style>".repeat(n), htmlToText, { n: 2000, minMs: 0.5, reps: 5 });
  assertLinear("html <script>", (n) => `x${"<script>".repeat(n)}`, htmlToText, {
    n: 2000,
    minMs: 0.5,
    reps: 5,
  });
});
