import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CommandReader, type Frame, literalAtEnd } from "./reader.js";

function run(
  chunks: (string | Buffer)[],
  limits = { maxLineBytes: 100, maxLiteralBytes: 50, appendLimit: 200 },
) {
  const events: string[] = [];
  const frames: Frame[] = [];
  const r = new CommandReader(limits, {
    frame: (f) => {
      frames.push(f);
      events.push(
        "frame:" +
          f.segments.map((s) => (s.kind === "text" ? s.data.toString() : `<${s.data.toString()}>`)).join("|"),
      );
    },
    continueLiteral: () => events.push("+"),
    error: (kind, tag, cmd) => events.push(`error:${kind}:${tag}:${cmd}`),
  });
  for (const c of chunks) r.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return { events, frames, reader: r };
}

describe("CommandReader", () => {
  test("after acceptBlankLine, one empty line is a frame (an empty SASL response), then blanks are skipped again", () => {
    const { events, reader } = run([]);
    reader.acceptBlankLine();
    for (const c of ["\r\n", "\r\n", "a NOOP\r\n"]) reader.push(Buffer.from(c));
    assert.deepEqual(events, ["frame:", "frame:a NOOP"]);
  });

  const cases: [string, (string | Buffer)[], string[]][] = [
    ["simple line", ["a NOOP\r\n"], ["frame:a NOOP"]],
    ["bare LF accepted", ["a NOOP\n"], ["frame:a NOOP"]],
    ["split across chunks", ["a NO", "OP\r", "\n"], ["frame:a NOOP"]],
    ["two commands in one chunk", ["a NOOP\r\nb NOOP\r\n"], ["frame:a NOOP", "frame:b NOOP"]],
    ["blank lines ignored", ["\r\n\r\na NOOP\r\n"], ["frame:a NOOP"]],
    [
      "synchronizing literal gets a continuation",
      ["a LOGIN {5}\r\n", "alice {3}\r\n", "pwd\r\n"],
      ["+", "+", "frame:a LOGIN {5}|<alice>| {3}|<pwd>|"],
    ],
    [
      "non-synchronizing literal: no continuation",
      ["a LOGIN {5+}\r\nalice x\r\n"],
      ["frame:a LOGIN {5+}|<alice>| x"],
    ],
    ["literal bytes may contain CRLF", ["a X {4+}\r\n\r\n\r\n\r\n"], ["frame:a X {4+}|<\r\n\r\n>|"]],
    ["zero-length literal", ["a LOGIN {0}\r\n x\r\n"], ["+", "frame:a LOGIN {0}|<>| x"]],
    ["oversize sync literal refused before reading", ["a LOGIN {51}\r\n"], ["error:literal-too-big:a:LOGIN"]],
    ["APPEND gets the append limit", ["a APPEND INBOX {150}\r\n"], ["+"]],
    ["oversize APPEND literal", ["a APPEND INBOX {201}\r\n"], ["error:literal-too-big:a:APPEND"]],
    [
      "oversize non-sync literal is read and discarded",
      ["a X {60+}\r\n", "x".repeat(60), " rest\r\nb NOOP\r\n"],
      ["error:literal-too-big:a:X", "frame:b NOOP"],
    ],
    [
      "line too long",
      ["a " + "x".repeat(200) + "\r\nb NOOP\r\n"],
      ["error:line-too-long:a:null", "frame:b NOOP"],
    ],
    [
      "line too long across chunks",
      ["a " + "x".repeat(90), "y".repeat(90), "z\r\nb NOOP\r\n"],
      ["error:line-too-long:a:null", "frame:b NOOP"],
    ],
    ["UID command name", ["a UID FETCH {51}\r\n"], ["error:literal-too-big:a:FETCH"]],
  ];
  for (const [name, chunks, expected] of cases) {
    test(name, () => {
      assert.deepEqual(run(chunks).events, expected);
    });
  }

  test("APPEND gets only maxLiteralBytes until appendAllowed", () => {
    let allowed = false;
    const events: string[] = [];
    const r = new CommandReader(
      { maxLineBytes: 100, maxLiteralBytes: 50, appendLimit: 200, appendAllowed: () => allowed },
      {
        frame: () => events.push("frame"),
        continueLiteral: () => events.push("+"),
        error: (kind) => events.push(kind),
      },
    );
    r.push(Buffer.from("a APPEND INBOX {150}\r\n"));
    allowed = true;
    r.push(Buffer.from("b APPEND INBOX {150}\r\n"));
    assert.deepEqual(events, ["literal-too-big", "+"]);
  });

  test("reset drops everything buffered (STARTTLS)", () => {
    const { events, reader } = run(["a LOGIN {5}\r\nal"]);
    reader.reset();
    reader.push(Buffer.from("b NOOP\r\n"));
    assert.deepEqual(events, ["+", "frame:b NOOP"]);
  });

  test("a command over the pre-login budget stops the reader at once, unread", () => {
    let budget: number | null = 90;
    const events: string[] = [];
    const r = new CommandReader(
      { maxLineBytes: 100, maxLiteralBytes: 50, appendLimit: 200, commandBudget: () => budget },
      {
        frame: (f) => events.push(`frame:${f.segments.length}`),
        continueLiteral: () => events.push("+"),
        error: (kind, tag, cmd) => events.push(`${kind}:${tag}:${cmd}`),
      },
    );
    // 13 + 40 + 6 + 40 > 90: the second literal is refused before a byte of it is read.
    r.push(Buffer.from(`a LOGIN {40+}\r\n${"x".repeat(40)} {40+}\r\n`));
    assert.deepEqual(events, ["over-budget:a:LOGIN"]);
    // Nothing more is read, not even after a reset (STARTTLS).
    r.push(Buffer.from(`${"y".repeat(40)}\r\nb NOOP\r\n`));
    r.reset();
    r.push(Buffer.from("c NOOP\r\n"));
    assert.deepEqual(events, ["over-budget:a:LOGIN"]);
    // A partial line over the budget is refused before its end arrives; no budget: no limit.
    events.length = 0;
    budget = 20;
    const r2 = new CommandReader(
      { maxLineBytes: 100, maxLiteralBytes: 50, appendLimit: 200, commandBudget: () => budget },
      { frame: () => events.push("frame"), continueLiteral: () => {}, error: (k) => events.push(k) },
    );
    r2.push(Buffer.from("a LOGIN alice "));
    r2.push(Buffer.from("password-longer-than-the-budget"));
    assert.deepEqual(events, ["over-budget"]);
    const { events: free } = run([`a X {40+}\r\n${"x".repeat(40)} {40+}\r\n${"y".repeat(40)}\r\n`]);
    assert.deepEqual(free, ["frame:a X {40+}|<" + "x".repeat(40) + ">| {40+}|<" + "y".repeat(40) + ">|"]);
  });

  test("the answer to a stream does not depend on how TCP cut it (found by src/fuzz)", () => {
    const events = (chunks: string[], budget: number | null) => {
      const out: string[] = [];
      const r = new CommandReader(
        { maxLineBytes: 100, maxLiteralBytes: 50, appendLimit: 200, commandBudget: () => budget },
        {
          frame: (f) => out.push(`frame:${f.segments.map((s) => s.data.length).join(",")}`),
          continueLiteral: () => out.push("+"),
          error: (kind) => out.push(kind),
        },
      );
      for (const c of chunks) r.push(Buffer.from(c));
      return out;
    };
    const bytes = (s: string) => [...s];
    // A 350-octet line before login (line limit 100, budget 300): the line limit is crossed
    // first, so it is line-too-long however it arrives (in one piece it was over-budget, and the
    // connection was closed).
    const long = [`a X ${"x".repeat(346)}`, "\r\nb NOOP\r\n"];
    const expected = ["line-too-long", "frame:6"];
    assert.deepEqual(events(long, 300), expected);
    assert.deepEqual(events(bytes(long.join("")), 300), expected);
    // Budget nearer than the line limit: over-budget either way.
    assert.deepEqual(events(long, 50), ["over-budget"]);
    assert.deepEqual(events(bytes(long.join("")), 50), ["over-budget"]);
    // A line of exactly maxLineBytes whose CR arrives before its LF is not too long.
    const exact = [`a X ${"x".repeat(96)}\r`, "\n"];
    assert.deepEqual(events(exact, null), ["frame:100"]);
    assert.deepEqual(events([exact.join("")], null), ["frame:100"]);
  });

  test("literalAtEnd", () => {
    assert.deepEqual(literalAtEnd(Buffer.from("a {12}")), { size: 12, sync: true });
    assert.deepEqual(literalAtEnd(Buffer.from("a {12+}")), { size: 12, sync: false });
    assert.equal(literalAtEnd(Buffer.from("a {}")), null);
    assert.equal(literalAtEnd(Buffer.from("a 12}")), null);
    assert.equal(literalAtEnd(Buffer.from('a "{1}"')), null);
  });
});

// midCommand tells the connection to acknowledge what it read at once (server/quick-ack.ts): the
// client's next write, often just a literal's closing CRLF, waits for that ACK (issue 20).
describe("CommandReader.midCommand", () => {
  const cases: [string, string[], boolean][] = [
    ["nothing read", [], false],
    ["a whole command", ["a NOOP\r\n"], false],
    ["a line without its LF", ["a NO"], true],
    ["a line ending in CR only", ["a NOOP\r"], true],
    ["a synchronizing literal announced", ["a APPEND INBOX {5}\r\n"], true],
    ["part of a literal", ["a APPEND INBOX {5}\r\n", "Hel"], true],
    ["the literal read, its CRLF not yet", ["a APPEND INBOX {5}\r\n", "Hello"], true],
    ["the literal and its CRLF", ["a APPEND INBOX {5}\r\n", "Hello", "\r\n"], false],
    ["LOGIN with two literals, the second not ended", ["a LOGIN {5}\r\n", "alice {3}\r\n", "pwd"], true],
    ["an oversize literal being discarded", ["a X {60+}\r\n", "x".repeat(10)], true],
    ["after an oversize literal and its line", ["a X {60+}\r\n", "x".repeat(60), "\r\n"], false],
    ["an oversize synchronizing literal refused", ["a LOGIN {51}\r\n"], false],
  ];
  for (const [name, chunks, want] of cases)
    test(name, () => {
      assert.equal(run(chunks).reader.midCommand, want);
    });
});
