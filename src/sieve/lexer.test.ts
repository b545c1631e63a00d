// The lexer's handling of a leading UTF-8 byte order mark: Windows editors write one, and a
// script saved by them must compile (ManageSieve, JMAP, the CLI and delivery all compile the text
// as stored). Only the first character may be one; positions are counted after it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkSieve, compileSieve } from "./index.js";
import { tokenize } from "./lexer.js";

const BOM = "\uFEFF";

test("a leading byte order mark is skipped: the script compiles, columns count from after it", () => {
  const diags: { line: number; column: number; message: string }[] = [];
  const tokens = tokenize(`${BOM}keep;\n`, diags);
  assert.deepEqual(diags, []);
  assert.deepEqual(
    tokens.map((t) => [t.kind, t.text, t.line, t.column]),
    [
      ["identifier", "keep", 1, 1],
      [";", "", 1, 5],
      ["eof", "", 2, 1],
    ],
  );
  assert.deepEqual(checkSieve(`${BOM}require "fileinto";\r\nfileinto "Finance";\r\n`), []);
  compileSieve(`${BOM}# a comment first\nkeep;\n`);
});

test("an error after a byte order mark has the same line and column as without it", () => {
  const without = checkSieve('require "fileinto";\nfileinto 5;\n');
  assert.ok(without.length > 0);
  assert.deepEqual(checkSieve(`${BOM}require "fileinto";\nfileinto 5;\n`), without);
  assert.deepEqual(checkSieve(`${BOM}keep`), checkSieve("keep"));
});

test("a byte order mark anywhere but at the start is still an unexpected character", () => {
  const d = checkSieve(`keep;\n${BOM}keep;\n`);
  assert.ok(
    d.some((x) => x.line === 2 && x.column === 1 && /unexpected character/.test(x.message)),
    JSON.stringify(d),
  );
  assert.ok(checkSieve(`${BOM}${BOM}keep;`).length > 0, "only one is a byte order mark");
});
