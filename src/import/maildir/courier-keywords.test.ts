// Courier-IMAP's courierimapkeywords/: the :list file and the update files that win over it.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseCourierKeywordList, readCourierKeywords } from "./courier-keywords.js";

test(":list: names, a blank line, then base:indexes; unknown indexes and non-atoms dropped", () => {
  const m = parseCourierKeywordList(
    [
      "$Junk",
      "work",
      "has space",
      "",
      "1600000000.1.host:0 1",
      "1600000001.2.host:1 9 2",
      "1600000002.3.host:",
      "junk",
      "",
    ].join("\n"),
  );
  assert.deepEqual(
    [...m],
    [
      ["1600000000.1.host", ["$Junk", "work"]],
      ["1600000001.2.host", ["work"]],
    ],
  );
});

test("update files win over :list: a plain name over .N. ones, else the largest N", async () => {
  const dir = await mkdtemp(join(tmpdir(), "yubin-courier-kw-"));
  try {
    const kw = join(dir, "courierimapkeywords");
    await mkdir(kw);
    await writeFile(join(kw, ":list"), "a\nb\n\nm1:0\nm2:0\nm3:1\n");
    await writeFile(join(kw, ".5.m1"), "old\n");
    await writeFile(join(kw, ".9.m1"), "newer\n");
    await writeFile(join(kw, ".12.m2"), "numbered\n");
    await writeFile(join(kw, "m2"), "plain\nsecond\n");
    await writeFile(join(kw, "m4"), ""); // all keywords removed
    const m = await readCourierKeywords(dir);
    assert.deepEqual([...(m ?? [])].sort(), [
      ["m1", ["newer"]],
      ["m2", ["plain", "second"]],
      ["m3", ["b"]],
      ["m4", []],
    ]);
    assert.equal(await readCourierKeywords(join(dir, "none")), null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
