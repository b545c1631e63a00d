import assert from "node:assert/strict";
import { test } from "node:test";
import { checkSieve } from "../index.js";
import { actionsOf, run } from "../test-kit.js";
import type { IncludeLocation } from "../types.js";

function scripts(personal: Record<string, string>, global: Record<string, string> = {}) {
  const asked: string[] = [];
  return {
    asked,
    host: {
      include: async (name: string, location: IncludeLocation) => {
        asked.push(`${location}:${name}`);
        return (location === "personal" ? personal : global)[name] ?? null;
      },
    },
  };
}

test("RFC 6609 example 1: personal and global includes add their actions", async () => {
  const s = scripts(
    { always_allow: 'require "fileinto"; if address :is "from" "boss@example.com" { keep; }' },
    {
      spam_tests: 'require ["fileinto"]; if header :contains "X-Spam-Score" "12" { fileinto "Junk"; }',
    },
  );
  assert.deepEqual(
    await actionsOf('require "include"; include :personal "always_allow"; include :global "spam_tests";', {
      host: s.host,
    }),
    ["fileinto:Junk"],
  );
  assert.deepEqual(s.asked, ["personal:always_allow", "global:spam_tests"]);
});

test("global variables are shared, others are the script's own; global.NAME", async () => {
  const s = scripts({
    inc1: 'require ["include", "variables"]; global ["value1", "result"]; set "result" "${value1} ${global.value2}"; set "value3" "local";',
  });
  assert.deepEqual(
    await actionsOf(
      `require ["include", "variables", "fileinto"];
       global ["value1", "value2"];
       set "value1" "Works"; set "value2" "fine."; set "value3" "mine";
       include "inc1";
       global "result";
       if string :is "\${result}" "Works fine." { fileinto "shared"; }
       if string :is "\${value3}" "mine" { fileinto "local-kept"; }`,
      { host: s.host },
    ),
    ["fileinto:shared", "fileinto:local-kept"],
  );
});

test(":once, :optional, return, and stop inside an include", async () => {
  const s = scripts({
    one: 'require ["include", "variables"]; global "r"; set "r" "${r} ONE"; return; set "r" "${r} NEVER";',
    two: 'require ["include", "variables"]; global "r"; set "r" "${r} TWO"; include :once "one";',
    stopper: "stop;",
  });
  assert.deepEqual(
    await actionsOf(
      `require ["include", "variables", "fileinto"];
       global "r";
       include "one"; include "two"; include :optional "missing";
       if string :is "\${r}" " ONE TWO" { fileinto "once"; }
       include "stopper";
       fileinto "after-stop";`,
      { host: s.host },
    ),
    ["fileinto:once"],
  );
});

test("runtime errors: missing script, self-inclusion, depth limit, a broken included script", async () => {
  const missing = await run('require "include"; include "nope";', { host: scripts({}).host });
  assert.match(missing.error?.message ?? "", /personal script "nope" does not exist/);
  assert.deepEqual(
    missing.actions.map((a) => a.type),
    ["keep"],
  );
  const loop = await run('require "include"; include "a";', {
    host: scripts({ a: 'require "include"; include "b";', b: 'require "include"; include "a";' }).host,
  });
  assert.match(loop.error?.message ?? "", /includes itself \(personal:a -> personal:b -> personal:a\)/);
  const deep: Record<string, string> = {};
  for (let i = 0; i < 10; i++) deep[`d${i}`] = `require "include"; include "d${i + 1}";`;
  const tooDeep = await run('require "include"; include "d0";', {
    host: scripts(deep).host,
    limits: { maxIncludeDepth: 3 },
  });
  assert.match(tooDeep.error?.message ?? "", /nested deeper than 3/);
  const broken = await run('require "include"; include "bad";', {
    host: scripts({ bad: "fileinto 1;" }).host,
  });
  assert.match(broken.error?.message ?? "", /script "bad": line 1, column 1/);
});

test("RFC 6609 3.4.1: a variable set before it is declared global is an error", async () => {
  const r = await run('require ["include", "variables"];\nset "x" "1";\nglobal "x";');
  assert.deepEqual(r.error, {
    line: 3,
    column: 1,
    message: 'variable "x" was set before it was declared global',
  });
  const ok = await run('require ["include", "variables"];\nglobal "x";\nset "x" "1";\nglobal "x";');
  assert.equal(ok.error, null);
});

test("compile errors: bad names, global without variables", () => {
  const d = checkSieve('require "include";\ninclude "../frop";\ninclude :personal :global "x";');
  assert.deepEqual(
    d.map((x) => x.line),
    [2, 3],
  );
  assert.match(d[0]!.message, /contains "\/"/);
  assert.match(checkSieve('require "include";\nglobal "x";')[0]?.message ?? "", /needs require "variables"/);
  assert.equal(checkSieve('require ["include", "variables"];\nglobal "x"; return;').length, 0);
});

test("the script name is a constant string (RFC 6609 3.2; Pigeonhole compile/errors.svtest)", () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: "${s}" is Sieve syntax (RFC 5229).
  const d = checkSieve('require ["include", "variables"];\nset "s" "blacklist";\ninclude "${s}";');
  assert.equal(d.length, 1);
  assert.equal(d[0]!.line, 3);
  assert.match(d[0]!.message, /constant/);
});
