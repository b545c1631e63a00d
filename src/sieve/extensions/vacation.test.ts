import assert from "node:assert/strict";
import { test } from "node:test";
import { checkSieve } from "../index.js";
import { run } from "../test-kit.js";

test("RFC 5230 example: vacation with :days, :addresses, :subject; keep stays", async () => {
  const r = await run(
    `require "vacation";
     if header :contains "subject" "statement" {
       vacation :days 3 :subject "Away" :from "me@example.com" :addresses ["me@example.com", "me2@example.com"] "I'm out";
     }`,
  );
  assert.equal(r.error, null);
  const v = r.actions.find((a) => a.type === "vacation");
  assert.deepEqual(v && { ...v, handle: typeof v.handle }, {
    type: "vacation",
    reason: "I'm out",
    mime: false,
    subject: "Away",
    from: "me@example.com",
    addresses: ["me@example.com", "me2@example.com"],
    handle: "string",
    seconds: 3 * 86400,
  });
  assert.ok(r.actions.some((a) => a.type === "keep"));
});

test("RFC 6131: :seconds needs vacation-seconds and is clamped to the site's bounds", async () => {
  const r = await run('require "vacation-seconds"; vacation :seconds 60 :handle "h" "x";', {
    limits: { vacationMinSeconds: 3600, vacationMaxSeconds: 86400 },
  });
  const v = r.actions.find((a) => a.type === "vacation");
  assert.equal(v?.type === "vacation" && v.seconds, 3600);
  assert.equal(v?.type === "vacation" && v.handle, "h");
  const zero = await run('require "vacation-seconds"; vacation :seconds 0 "x";', {
    limits: { vacationMinSeconds: 0 },
  });
  const z = zero.actions.find((a) => a.type === "vacation");
  assert.equal(z?.type === "vacation" && z.seconds, 0);
  const d = checkSieve('require "vacation";\nvacation :seconds 60 "x";');
  assert.equal(d.length, 1);
  assert.equal(d[0]!.line, 2);
  assert.equal(checkSieve('vacation "x";').length, 1);
});

test("default handle: same text same handle, different text different handle", async () => {
  const h = async (s: string) => {
    const r = await run(`require "vacation"; ${s}`);
    const v = r.actions.find((a) => a.type === "vacation");
    return v?.type === "vacation" ? v.handle : null;
  };
  assert.equal(await h('vacation "a";'), await h('vacation "a";'));
  assert.notEqual(await h('vacation "a";'), await h('vacation "b";'));
  assert.notEqual(await h('vacation "a";'), await h('vacation :subject "s" "a";'));
});

test("RFC 5230 4.2: the default handle is taken from the texts before variables are expanded", async () => {
  const h = async (subject: string) => {
    const r = await run(
      'require ["vacation", "variables"]; if header :matches "subject" "*" { vacation :subject "Re: ${1}" "away"; }',
      { raw: `Subject: ${subject}\r\n\r\nbody\r\n` },
    );
    const v = r.actions.find((a) => a.type === "vacation");
    return v?.type === "vacation" ? [v.handle, v.subject] : null;
  };
  const [h1, s1] = (await h("one"))!;
  const [h2, s2] = (await h("two"))!;
  assert.equal(h1, h2);
  assert.equal(s1, "Re: one");
  assert.equal(s2, "Re: two");
});

test("errors: bad :from, a second vacation, vacation with reject", async () => {
  assert.match(checkSieve('require "vacation";\nvacation :from "nobody" "x";')[0]?.message ?? "", /:from/);
  const two = await run('require "vacation"; vacation "a"; vacation :handle "2" "b";');
  assert.match(two.error?.message ?? "", /one vacation/);
  const rej = await run('require ["vacation", "reject"]; vacation "a"; reject "no";');
  assert.notEqual(rej.error, null);
});

test(':addresses items may be written "<a@b>" or "Name <a@b>" (Pigeonhole examples/vacation.sieve)', async () => {
  const src = 'require "vacation";\nvacation :addresses ["<name@domain.ru>", "Me <me@example.com>"] "x";';
  assert.deepEqual(checkSieve(src), []);
  const r = await run(src);
  const v = r.actions.find((a) => a.type === "vacation");
  assert.deepEqual(v?.type === "vacation" ? v.addresses : null, ["name@domain.ru", "me@example.com"]);
  assert.match(
    checkSieve('require "vacation";\nvacation :addresses "<nobody>" "x";')[0]?.message ?? "",
    /not an address/,
  );
});
