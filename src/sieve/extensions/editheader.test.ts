import assert from "node:assert/strict";
import { test } from "node:test";
import { checkSieve } from "../index.js";
import { actionsOf, run } from "../test-kit.js";

const MSG = [
  "Received: by example.com; Mon, 21 Nov 2011 05:25:26 +0200",
  "Auto-Submitted: yes",
  "X-Friep: frop 1",
  "Subject: Frop!",
  "X-Friep: frop 2",
  "X-Friep: frop 3",
  "From: stephan@example.com",
  "",
  "Frop!",
  "",
].join("\r\n");

test("RFC 5293 4: addheader, first or :last; later tests and the result see it", async () => {
  const r = await run(
    `require ["editheader", "fileinto"];
     addheader "X-Added" "first";
     addheader :last "X-Tail" "last";
     if header :is "x-added" "first" { fileinto "seen"; }`,
    { raw: MSG },
  );
  assert.equal(r.error, null);
  assert.deepEqual(
    r.actions.map((a) => a.type),
    ["fileinto"],
  );
  const edited = r.edited!.toString();
  assert.ok(edited.startsWith("X-Added: first\r\nReceived:"));
  assert.ok(edited.endsWith("From: stephan@example.com\r\nX-Tail: last\r\n\r\nFrop!\r\n"));
});

test("RFC 5293 5: deleteheader by name, :index, :index :last, value patterns", async () => {
  const cases: [string, string[]][] = [
    ['deleteheader "x-friep";', []],
    ['deleteheader :index 2 "x-friep";', ["frop 1", "frop 3"]],
    ['deleteheader :index 1 :last "x-friep";', ["frop 1", "frop 2"]],
    ['deleteheader :matches "x-friep" "*3";', ["frop 1", "frop 2"]],
    ['deleteheader :index 1 :contains "x-friep" "2";', ["frop 1", "frop 2", "frop 3"]],
  ];
  for (const [cmd, left] of cases) {
    const r = await run(`require "editheader"; ${cmd}`, { raw: MSG });
    assert.equal(r.error, null, cmd);
    const text = (r.edited ?? Buffer.from(MSG)).toString();
    assert.deepEqual(
      [...text.matchAll(/^X-Friep: (.*)\r$/gm)].map((m) => m[1]),
      left,
      cmd,
    );
  }
});

test("Received and Auto-Submitted cannot be deleted; header tests see deletions", async () => {
  assert.deepEqual(
    await actionsOf(
      `require ["editheader", "fileinto"];
       deleteheader "received"; deleteheader "auto-submitted"; deleteheader "subject";
       if allof (exists "received", exists "auto-submitted", not exists "subject") { fileinto "ok"; }`,
      { raw: MSG },
    ),
    ["fileinto:ok"],
  );
});

test("UTF-8 values are RFC 2047 encoded and compare decoded", async () => {
  const r = await run(
    `require ["editheader", "fileinto"];
     addheader "X-Note" "Grüße aus Köln";
     if header :is "x-note" "Grüße aus Köln" { fileinto "same"; }`,
    { raw: MSG },
  );
  assert.deepEqual(
    r.actions.map((a) => (a.type === "fileinto" ? a.mailbox : a.type)),
    ["same"],
  );
  assert.match(r.edited!.toString(), /^X-Note: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=\r\n/);
});

test("bad names and values: compile errors with position, runtime errors from variables", async () => {
  assert.deepEqual(checkSieve('require "editheader";\naddheader "X Bad" "v";'), [
    { line: 2, column: 11, message: 'header field name "X Bad" is invalid' },
  ]);
  const d = checkSieve('require ["editheader", "encoded-character"];\naddheader "X-Ok" "Woah${hex:00}!";');
  assert.equal(d.length, 1);
  assert.match(d[0]!.message, /value "Woah\.\.\." is invalid/);
  const folded = await run('require "editheader"; addheader "X-Ok" "a\r\nBcc: evil@example.org";', {
    raw: MSG,
  });
  assert.ok(folded.edited!.toString().startsWith("X-Ok: a\r\n Bcc: evil@example.org\r\nReceived:"));
  assert.deepEqual(checkSieve('require "editheader";\ndeleteheader :last "X-field:";'), [
    { line: 2, column: 14, message: "the :last tag cannot be specified without the :index tag" },
  ]);
  assert.equal(checkSieve('addheader "X" "y";').length, 1);
  const r = await run('require ["editheader", "variables"]; set "n" "X:Y"; addheader "${n}" "v";', {
    raw: MSG,
  });
  assert.match(r.error?.message ?? "", /addheader: header field name "X:Y" is invalid/);
  assert.deepEqual(
    r.actions.map((a) => a.type),
    ["keep"],
  );
  assert.match(
    checkSieve(`require "editheader"; addheader "X-Big" "${"x".repeat(3000)}";`)[0]?.message ?? "",
    /2048/,
  );
  const big = await run(
    `require ["editheader", "variables"]; set "v" "${"x".repeat(1500)}"; addheader "X-Big" "\${v}\${v}";`,
    {
      raw: MSG,
    },
  );
  assert.match(big.error?.message ?? "", /longer than 2048 bytes/);
  const allowed = await run(
    `require ["editheader", "variables"]; set "v" "${"x".repeat(1500)}"; addheader "X-Big" "\${v}\${v}";`,
    { raw: MSG, limits: { editheaderMaxValueBytes: 4096 } },
  );
  assert.equal(allowed.error, null);
});
