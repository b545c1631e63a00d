import assert from "node:assert/strict";
import { test } from "node:test";
import { fromLine, fromLineDate } from "./from-line.js";
import { type MboxEntry, MboxSplitter } from "./split.js";
import { flagsFromFields, stripStateFields } from "./state-headers.js";

const MAX = 1024 * 1024;

/** Splits `text`, fed in chunks of `chunk` bytes (1 = every byte its own chunk). */
function split(
  text: string | Buffer,
  opts: { chunk?: number; max?: number; offset?: number } = {},
): MboxEntry[] {
  const buf = typeof text === "string" ? Buffer.from(text, "latin1") : text;
  const s = new MboxSplitter({ maxMessageBytes: opts.max ?? MAX, offset: opts.offset ?? 0 });
  const out: MboxEntry[] = [];
  const step = opts.chunk ?? buf.length;
  for (let i = 0; i < buf.length; i += Math.max(1, step))
    out.push(...s.push(buf.subarray(i, i + Math.max(1, step))));
  out.push(...s.end());
  return out;
}
const bodies = (es: MboxEntry[]) => es.map((e) => e.body?.toString("latin1") ?? null);

const two =
  "From a@x Thu Nov 24 18:22:48 1986\nSubject: one\n\nbody 1\n\nFrom b@y Fri Nov 25 01:02:03 1986\nSubject: two\n\nbody 2\n\n";

test("two messages: From_ lines, the blank line before each separator dropped, CRLF lines", () => {
  for (const chunk of [1, 3, 7, 1000]) {
    const es = split(two, { chunk });
    assert.deepEqual(
      bodies(es),
      ["Subject: one\r\n\r\nbody 1\r\n", "Subject: two\r\n\r\nbody 2\r\n"],
      `chunk ${chunk}`,
    );
    assert.equal(es[0]!.fromLine, "From a@x Thu Nov 24 18:22:48 1986");
    assert.equal(es[0]!.start, 0);
    assert.equal(es[0]!.end, two.indexOf("From b@y"));
    assert.equal(es[1]!.start, es[0]!.end);
    assert.equal(es[1]!.end, two.length);
  }
});

test("a CRLF file gives the same messages as an LF one", () => {
  assert.deepEqual(bodies(split(two.replaceAll("\n", "\r\n"), { chunk: 5 })), bodies(split(two)));
});

test("mboxrd unescaping: one > removed from >+From lines, other lines untouched", () => {
  const f =
    "From a Thu Nov 24 18:22:48 1986\nS: x\n\n>From here\n>>From there\n>>>From far\n> From not\n>Fromage\nFrom mid-paragraph\n\n";
  assert.deepEqual(bodies(split(f)), [
    "S: x\r\n\r\nFrom here\r\n>From there\r\n>>From far\r\n> From not\r\n>Fromage\r\nFrom mid-paragraph\r\n",
  ]);
});

test("a From line inside a body that does not follow an empty line is body text", () => {
  const f =
    "From a Thu Nov 24 18:22:48 1986\nS: x\n\nquoted:\nFrom someone at work\nend\n\nFrom b Thu Nov 24 18:22:48 1986\nS: y\n\nz\n";
  const es = split(f);
  assert.equal(es.length, 2);
  assert.equal(es[0]!.body!.toString(), "S: x\r\n\r\nquoted:\r\nFrom someone at work\r\nend\r\n");
});

test("a 0-byte file, blank lines only, and a file ending without a line end", () => {
  assert.deepEqual(split(""), []);
  assert.deepEqual(split("\n\n\r\n"), []);
  const es = split("From a Thu Nov 24 18:22:48 1986\nS: x\n\ntruncated mid-li");
  assert.deepEqual(bodies(es), ["S: x\r\n\r\ntruncated mid-li\r\n"]);
});

test("a truncated last message (cut inside its header) is still read, the ones before intact", () => {
  const es = split(`${two}From c Thu Nov 24 18:22:48 1986\nSubject: thr`, { chunk: 4 });
  assert.equal(es.length, 3);
  assert.deepEqual(bodies(es).slice(0, 2), bodies(split(two)));
  assert.equal(es[2]!.body!.toString(), "Subject: thr\r\n");
  // A From_ line and nothing else: an empty message (the engine reports it).
  const lone = split(`${two}From c Thu Nov 24 18:22:48 1986\n`);
  assert.equal(lone[2]!.body!.length, 0);
});

test("text before the first From_ line is reported (fromLine null), not merged", () => {
  const es = split(`junk\n\n${two}`);
  assert.equal(es.length, 3);
  assert.equal(es[0]!.fromLine, null);
});

test("a message over maxMessageBytes is skipped without its body; the next is read", () => {
  const big = `From a Thu Nov 24 18:22:48 1986\nS: big\n\n${"x".repeat(5000)}\n${"y".repeat(300)}\n\n`;
  for (const chunk of [64, 100000]) {
    const es = split(big + two, { max: 1000, chunk });
    assert.equal(es.length, 3);
    assert.equal(es[0]!.body, null);
    assert.ok(es[0]!.size > 5000);
    assert.deepEqual(bodies(es).slice(1), bodies(split(two)));
    assert.equal(es[1]!.start, big.length);
  }
});

test("a resumed split starts at an offset and reports file offsets", () => {
  const at = two.indexOf("From b@y");
  const es = split(two.slice(at), { offset: at });
  assert.equal(es.length, 1);
  assert.equal(es[0]!.start, at);
  assert.equal(es[0]!.end, two.length);
});

test("state fields come out of the header with their flags; the rest is byte for byte", () => {
  const msg = Buffer.from(
    "Subject: s\r\nStatus: RO\r\nX-Status: AF\r\nX-Keywords: $Label1 work,\r\n  later\r\nX-UID: 7\r\nContent-Length: 3\r\nDate: Thu, 24 Nov 1986 18:22:48 +0000\r\n\r\nStatus: body line stays\r\n",
  );
  const { body, fields } = stripStateFields(msg);
  assert.equal(
    body.toString(),
    "Subject: s\r\nDate: Thu, 24 Nov 1986 18:22:48 +0000\r\n\r\nStatus: body line stays\r\n",
  );
  assert.deepEqual(flagsFromFields(fields).sort(), [
    "$Label1",
    "\\Answered",
    "\\Flagged",
    "\\Seen",
    "later",
    "work",
  ]);
  assert.equal(fields.get("date"), "Thu, 24 Nov 1986 18:22:48 +0000");
  const plain = Buffer.from("Subject: s\r\n\r\nx\r\n");
  assert.equal(stripStateFields(plain).body, plain);
  // Thunderbird: 0x0001 read, 0x0002 replied, 0x0004 marked, 0x0008 deleted.
  const moz = stripStateFields(
    Buffer.from(
      "X-Mozilla-Status: 000f\r\nX-Mozilla-Status2: 00000000\r\nX-Mozilla-Keys: $label2 \r\nS: t\r\n\r\n",
    ),
  );
  assert.deepEqual(flagsFromFields(moz.fields).sort(), [
    "$label2",
    "\\Answered",
    "\\Deleted",
    "\\Flagged",
    "\\Seen",
  ]);
  assert.equal(moz.body.toString(), "S: t\r\n\r\n");
  // X-Status T = draft, D = deleted; keywords that are not IMAP atoms are left out.
  const d = stripStateFields(Buffer.from("X-Status: TD\r\nX-Keywords: ok (bad) a\\b\r\n\r\n"));
  assert.deepEqual(flagsFromFields(d.fields).sort(), ["\\Deleted", "\\Draft", "ok"]);
});

test("From_ line dates: asctime, with zones, Thunderbird's '-', and garbage", () => {
  const iso = (l: string) => fromLineDate(l)?.toISOString() ?? null;
  assert.equal(iso("From a@x Thu Nov 24 18:22:48 1986"), "1986-11-24T18:22:48.000Z");
  assert.equal(iso("From - Mon Jan  1 00:00:05 2001"), "2001-01-01T00:00:05.000Z");
  assert.equal(iso("From a Mon Jan 1 10:00:00 2001 +0100"), "2001-01-01T09:00:00.000Z");
  assert.equal(iso("From a Mon Jan 1 10:00:00 PST 2001"), "2001-01-01T18:00:00.000Z");
  assert.equal(iso('From "a b"@x Tue Feb  3 04:05 2015'), "2015-02-03T04:05:00.000Z");
  assert.equal(iso("From someone at work"), null);
  assert.equal(iso("From a Mon Feb 31 10:00:00 2001"), null);
  const d = new Date("2024-03-05T06:07:08Z");
  assert.equal(fromLine("<>", d).startsWith("From <> "), true);
  assert.equal(fromLine(null, d), "From MAILER-DAEMON Tue Mar  5 06:07:08 2024");
  assert.equal(fromLineDate(fromLine("a@b", d))?.getTime(), d.getTime());
});

test("a From_ line longer than a message may be is a separator however the file is read (fuzz finding)", () => {
  const f = `From a ${"x".repeat(3000)} Mon Jan  1 00:00:00 2024\nS: one\n\nbody\n\nFrom b Mon Jan  1 00:00:00 2024\nS: two\n\n`;
  const want = ["S: one\r\n\r\nbody\r\n", "S: two\r\n"];
  for (const chunk of [1, 7, 100, 100000]) {
    const es = split(f, { max: 1000, chunk });
    assert.deepEqual(bodies(es), want, `chunk ${chunk}`);
    assert.equal(es[0]!.fromLine!.length, 1000);
  }
  // Any other overlong line makes its message too large, again whatever the chunks.
  for (const chunk of [1, 7, 100000]) {
    const es = split(`From a Mon Jan  1 00:00:00 2024\nS: x\n\n${"y".repeat(3000)}\n\n${two}`, {
      max: 1000,
      chunk,
    });
    assert.deepEqual(bodies(es), [null, ...bodies(split(two))], `chunk ${chunk}`);
  }
});

test("a line starting with white space, or with a control character before its colon, is no field (fuzz finding)", () => {
  const m = Buffer.from(" 2147 00:00:00 x\r\nStatus: R\r\n\r\nb\r\n");
  const r = stripStateFields(m);
  assert.equal(r.body, m);
  assert.equal(r.headerEnd, 0);
  assert.deepEqual(flagsFromFields(r.fields), []);
  assert.equal(stripStateFields(Buffer.from("u\x15s: R\r\nStatus: R\r\n\r\n")).headerEnd, 0);
  // Obsolete syntax (RFC 5322 4.5): white space before the colon.
  assert.deepEqual(flagsFromFields(stripStateFields(Buffer.from("Status : R\r\n\r\n")).fields), ["\\Seen"]);
});
