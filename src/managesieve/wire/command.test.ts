// The ManageSieve command scanner and response writer, as tables of inputs (RFC 5804 §4).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { badScriptName, numberOf, scanLine, textOf, toCommand } from "./command.js";
import { responseLine, sieveString } from "./response.js";

const scan = (s: string) => scanLine(Buffer.from(s, "utf8"));
const show = (s: string) => {
  const r = scan(s);
  if (!r.ok) return { error: r.error };
  return {
    args: r.args.map((a) => (a.kind === "atom" ? `atom:${a.value}` : `str:${a.value.toString("utf8")}`)),
    literal: r.literal?.size ?? null,
  };
};

describe("scanLine", () => {
  test("atoms, quoted strings and escapes", () => {
    assert.deepEqual(show("CAPABILITY"), { args: ["atom:CAPABILITY"], literal: null });
    assert.deepEqual(show('HAVESPACE "my script" 1024'), {
      args: ["atom:HAVESPACE", "str:my script", "atom:1024"],
      literal: null,
    });
    assert.deepEqual(show('NOOP "a \\"b\\" \\\\ c"'), {
      args: ["atom:NOOP", 'str:a "b" \\ c'],
      literal: null,
    });
    assert.deepEqual(show('RENAMESCRIPT  "a"   "b"'), {
      args: ["atom:RENAMESCRIPT", "str:a", "str:b"],
      literal: null,
    });
    assert.deepEqual(show('SETACTIVE ""'), { args: ["atom:SETACTIVE", "str:"], literal: null });
    assert.deepEqual(show('PUTSCRIPT "Grüße"'), { args: ["atom:PUTSCRIPT", "str:Grüße"], literal: null });
    assert.deepEqual(show(""), { args: [], literal: null });
  });

  test("literals {n+} and {n} end the line", () => {
    assert.deepEqual(show('PUTSCRIPT "s" {12+}'), { args: ["atom:PUTSCRIPT", "str:s"], literal: 12 });
    assert.deepEqual(show("CHECKSCRIPT {0}"), { args: ["atom:CHECKSCRIPT"], literal: 0 });
    assert.deepEqual(show("X {5+} y"), { error: "bad literal: {n+} must end the line" });
    assert.deepEqual(show("X {+}"), { error: "bad literal size" });
    assert.deepEqual(show("X {12345678901+}"), { error: "literal size too large" });
  });

  test("malformed input gets a reason, never a throw", () => {
    assert.deepEqual(show('NOOP "abc'), { error: "unterminated quoted string" });
    assert.deepEqual(show('NOOP "a\\b"'), { error: 'bad escape in quoted string (only \\" and \\\\)' });
    assert.deepEqual(show('NOOP "a"b'), { error: "missing space after quoted string" });
    assert.deepEqual(show("NOOP (x)"), { error: "unexpected character" });
    assert.deepEqual(show("NO*OP"), { error: "unexpected character" });
    assert.deepEqual(show("NOOP \u00e9"), { error: "unexpected character" });
  });

  test("toCommand, textOf, numberOf", () => {
    const r = scan('getscript "x"');
    assert.ok(r.ok);
    const cmd = toCommand(r.args);
    assert.equal(cmd?.name, "GETSCRIPT");
    assert.equal(textOf(cmd?.args[0]), "x");
    assert.equal(toCommand([{ kind: "string", value: Buffer.from("x") }]), null);
    assert.equal(textOf({ kind: "string", value: Buffer.from([0xff]) }), null);
    assert.equal(numberOf({ kind: "atom", value: "4294967295" }), 4294967295);
    assert.equal(numberOf({ kind: "atom", value: "4294967296" }), null);
    assert.equal(numberOf({ kind: "atom", value: "-1" }), null);
  });

  test("script names (RFC 5804 §1.6)", () => {
    assert.equal(badScriptName("vacation"), null);
    assert.equal(badScriptName("Mail rules ✉"), null);
    assert.equal(badScriptName(""), "script name is empty");
    assert.equal(badScriptName("a\u0001b"), "script name contains control characters");
    assert.equal(badScriptName("a\u0085b"), "script name contains control characters");
    assert.equal(badScriptName("a\u2028b"), "script name contains control characters");
    assert.equal(badScriptName("x".repeat(129)), "script name longer than 128 characters");
  });
});

describe("responses", () => {
  test("strings quoted when plain and short, else literals", () => {
    assert.equal(sieveString("abc").toString(), '"abc"');
    assert.equal(sieveString('a"b\\c').toString(), '"a\\"b\\\\c"');
    assert.equal(sieveString("two\r\nlines").toString(), "{10}\r\ntwo\r\nlines");
    assert.equal(sieveString("x".repeat(1025)).toString(), `{1025}\r\n${"x".repeat(1025)}`);
  });

  test("response lines with codes and text", () => {
    assert.equal(responseLine("OK").toString(), "OK\r\n");
    assert.equal(responseLine("OK", { text: "Done" }).toString(), 'OK "Done"\r\n');
    assert.equal(responseLine("NO", { code: "NONEXISTENT" }).toString(), "NO (NONEXISTENT)\r\n");
    assert.equal(
      responseLine("NO", { code: "QUOTA/MAXSIZE", text: "too big" }).toString(),
      'NO (QUOTA/MAXSIZE) "too big"\r\n',
    );
    assert.equal(
      responseLine("OK", { code: { tag: Buffer.from("t1") }, text: "Done" }).toString(),
      'OK (TAG "t1") "Done"\r\n',
    );
  });
});
