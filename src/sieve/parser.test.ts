// RFC 5228 2 and 8: the grammar, strings, numbers, comments, and errors with line and column.
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkSieve, compileSieve } from "./index.js";
import { tokenize } from "./lexer.js";
import { parseSieve } from "./parser.js";
import { MAX_DIAGNOSTICS, type SieveDiagnostic } from "./types.js";

function parse(src: string) {
  const diags: SieveDiagnostic[] = [];
  const nodes = parseSieve(src, diags);
  return { nodes, diags };
}

test("commands, tags, numbers, string lists, tests and test lists", () => {
  const { nodes, diags } = parse('if anyof (header :contains ["From", "To"] "x", size :over 10K) { keep; }');
  assert.deepEqual(diags, []);
  const cmd = nodes[0]!;
  assert.equal(cmd.name, "if");
  assert.equal(cmd.tests.length, 1);
  const anyof = cmd.tests[0]!;
  assert.equal(anyof.name, "anyof");
  assert.equal(anyof.testList, true);
  assert.equal(anyof.tests.length, 2);
  const header = anyof.tests[0]!;
  assert.deepEqual(
    header.args.map((a) => a.kind),
    ["tag", "list", "string"],
  );
  const size = anyof.tests[1]!;
  assert.deepEqual(size.args[1], { kind: "number", value: 10240, line: 1, column: 59 });
  assert.equal(cmd.block?.[0]?.name, "keep");
});

test("numbers over 2^64 - 1 and over-long identifiers are errors", () => {
  assert.deepEqual(
    checkSieve("if size :over 18446744073709551616 { keep; }\nif size :over 17179869184G { keep; }").map(
      (d) => d.line,
    ),
    [1, 2],
  );
  assert.deepEqual(
    checkSieve("if size :over 18446744073709551615 { keep; }\nif size :over 17179869183G { keep; }"),
    [],
  );
  assert.match(checkSieve(`if ${"x".repeat(33)} { keep; }`)[0]?.message ?? "", /identifier too long/);
});

test("numbers with K, M and G quantifiers (RFC 5228 2.4.1)", () => {
  const diags: SieveDiagnostic[] = [];
  const toks = tokenize("1 2k 3M 4g 007", diags);
  assert.deepEqual(
    toks.filter((t) => t.kind === "number").map((t) => t.value),
    [1, 2048, 3 * 1024 * 1024, 4 * 1024 * 1024 * 1024, 7],
  );
  assert.deepEqual(diags, []);
  assert.match(checkSieve("if size :over 12x { keep; }")[0]?.message ?? "", /invalid number/);
});

test("quoted strings: escapes, line breaks become CRLF", () => {
  const diags: SieveDiagnostic[] = [];
  const toks = tokenize('"a\\"b\\\\c\\d" "two\nlines"', diags);
  assert.deepEqual(
    toks.filter((t) => t.kind === "string").map((t) => t.text),
    ['a"b\\cd', "two\r\nlines"],
  );
});

test("multi-line strings: text:, dot-stuffing, a comment after text:", () => {
  const diags: SieveDiagnostic[] = [];
  const src = "text: # why\r\nline one\r\n..dot\r\n.\r\n text:\n\n.\n";
  const toks = tokenize(src, diags);
  assert.deepEqual(diags, []);
  const strs = toks.filter((t) => t.kind === "string");
  assert.equal(strs[0]?.text, "line one\r\n.dot\r\n");
  assert.equal(strs[0]?.multiline, true);
  assert.equal(strs[1]?.text, "\r\n");
});

test("comments: hash and bracket, across lines", () => {
  const { nodes, diags } = parse("# one\n/* two\n three */ keep; /**/ stop; # end");
  assert.deepEqual(diags, []);
  assert.deepEqual(
    nodes.map((n) => n.name),
    ["keep", "stop"],
  );
  assert.equal(nodes[0]?.line, 3);
  assert.equal(nodes[0]?.column, 11);
});

test("lexical errors: unterminated string, comment, multi-line, stray characters", () => {
  assert.deepEqual(checkSieve('keep;\nredirect "a@b'), [
    { line: 2, column: 10, message: "unterminated string" },
  ]);
  assert.deepEqual(checkSieve("keep; /* open"), [{ line: 1, column: 7, message: "unterminated comment" }]);
  assert.match(
    checkSieve('require "fileinto";\nfileinto text:\nabc\n')[0]?.message ?? "",
    /unterminated multi-line/,
  );
  assert.deepEqual(checkSieve("keep; @@@ stop;"), [
    { line: 1, column: 7, message: 'unexpected character "@@@"' },
    { line: 1, column: 7, message: 'command expected, found "@@@"' },
  ]);
});

test("syntax errors are all reported, with line and column, and parsing recovers", () => {
  const diags = checkSieve(["keep", "if true { discard }", 'redirect ["a@b.c", ];', "stop;"].join("\n"));
  assert.deepEqual(diags, [
    // "keep if true {...}" is grammatical (a command with a test and a block): its errors are of
    // meaning, checked only once the syntax is right.
    { line: 2, column: 19, message: '";" expected after command "discard", found "}"' },
    { line: 3, column: 20, message: 'string expected in string list, found "]"' },
  ]);
});

test("missing } at the end, unexpected }", () => {
  assert.deepEqual(checkSieve("if true {\n keep;\n"), [
    { line: 3, column: 1, message: 'missing "}" at end of script' },
  ]);
  assert.deepEqual(checkSieve("keep; }"), [{ line: 1, column: 7, message: 'unexpected "}"' }]);
});

test("validation messages: unknown command, missing require, arguments, tags", () => {
  const src = [
    'fileinot "x";',
    'fileinto "Finance";',
    "redirect;",
    "redirect 5;",
    'if header :is "subject" { keep; }',
    'if header :bogus "subject" "x" { keep; }',
    'if header :is :contains "subject" "x" { keep; }',
    "if size 5 { keep; }",
    "keep; elsif true { keep; }",
    'if header :comparator "i;nope" "a" "b" { keep; }',
    'require "fileinto";',
    'keep "x";',
  ].join("\n");
  assert.deepEqual(
    checkSieve(src).map((d) => `${d.line}:${d.column} ${d.message}`),
    [
      "1:1 unknown command 'fileinot'",
      '2:1 require "fileinto" missing for command "fileinto"',
      "3:1 the redirect command requires 1 positional argument, but 0 are specified",
      "4:10 the redirect command expects a string as argument 1, but a number was found",
      "5:15 the header test requires 2 positional arguments, but 1 is specified",
      "6:11 unknown tagged argument ':bogus' for the header test (argument 1)",
      '7:15 ":contains" cannot be combined with ":is"',
      '8:4 test "size" needs ":over" or ":under"',
      '9:7 "elsif" without a preceding "if"',
      '10:23 unknown comparator "i;nope"',
      '11:1 "require" must come before any other command',
      "12:6 the keep command requires 0 positional arguments, but 1 is specified",
    ],
  );
});

test("require: unknown and disallowed extensions", () => {
  assert.deepEqual(checkSieve('require ["fileinto", "x-nope"];'), [
    { line: 1, column: 22, message: 'unsupported extension "x-nope"' },
  ]);
  assert.deepEqual(checkSieve('require "fileinto";', { extensions: new Set() }), [
    { line: 1, column: 9, message: 'unsupported extension "fileinto"' },
  ]);
});

test("script size limit", () => {
  assert.throws(
    () => compileSieve(`# ${"x".repeat(2000)}\nkeep;`, { maxScriptBytes: 1024 }),
    /larger than 1024 bytes/,
  );
});

test("deep nesting is refused, not a stack overflow", () => {
  const deep = `${"if true {".repeat(5000)}${"}".repeat(5000)}`;
  assert.match(checkSieve(deep)[0]?.message ?? "", /nested too deeply/);
  const deepTests = `if ${"not ".repeat(5000)}true { keep; }`;
  assert.match(checkSieve(deepTests)[0]?.message ?? "", /nested too deeply/);
  const deepLists = `if ${"anyof(".repeat(5000)}true${")".repeat(5000)} { keep; }`;
  assert.match(checkSieve(deepLists)[0]?.message ?? "", /nested too deeply/);
});

test("errors stop at MAX_DIAGNOSTICS: from the parser, the lexer and the meaning check", () => {
  const stray = checkSieve("}".repeat(10_000));
  assert.equal(stray.length, MAX_DIAGNOSTICS);
  assert.deepEqual(stray[MAX_DIAGNOSTICS - 1], {
    line: 1,
    column: MAX_DIAGNOSTICS,
    message: 'unexpected "}"',
  });
  assert.equal(checkSieve("keep; \u0001 ".repeat(10_000)).length, MAX_DIAGNOSTICS);
  assert.equal(checkSieve("nosuchcommand;\n".repeat(10_000)).length, MAX_DIAGNOSTICS);
  assert.equal(checkSieve("}".repeat(MAX_DIAGNOSTICS - 1)).length, MAX_DIAGNOSTICS - 1);
});
