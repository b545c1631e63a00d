import assert from "node:assert/strict";
import { test } from "node:test";
import { checkSieve } from "../index.js";
import { run } from "../test-kit.js";
import type { SieveAction } from "../types.js";

const notifies = (actions: SieveAction[]) => actions.filter((a) => a.type === "notify");

test("RFC 5435 example: notify with :from, :importance, :options, :message", async () => {
  const r = await run(
    `require ["enotify", "variables"];
     if header :contains "from" "alerts" {
       set "s" "\${0}";
       notify :importance "1" :from "me@example.com" :options ["k=v"] :message "Bank: \${s}" "mailto:me@example.com?subject=Alert";
     }`,
  );
  assert.equal(r.error, null);
  assert.deepEqual(notifies(r.actions), [
    {
      type: "notify",
      method: "mailto:me@example.com?subject=Alert",
      from: "me@example.com",
      importance: 1,
      options: ["k=v"],
      message: "Bank: ",
    },
  ]);
  // notify keeps the implicit keep
  assert.ok(r.actions.some((a) => a.type === "keep"));
});

test("valid_notify_method and notify_method_capability (RFC 5435 9, RFC 5436 2.2)", async () => {
  const r = await run(
    `require ["enotify", "fileinto"];
     if valid_notify_method "mailto:stephan@example.org" { fileinto "valid"; }
     if valid_notify_method ["mailto:stephan%23example.org"] { fileinto "invalid"; }
     if valid_notify_method "xmpp:a@example.org" { fileinto "xmpp"; }
     if notify_method_capability :is "mailto:stephan@example.org" "online" "maybe" { fileinto "maybe"; }
     if notify_method_capability :is "mailto:stephan@example.org" "online" "yes" { fileinto "yes"; }`,
  );
  assert.deepEqual(
    r.actions.map((a) => (a.type === "fileinto" ? a.mailbox : a.type)),
    ["valid", "maybe"],
  );
});

test(":encodeurl (RFC 5435 6)", async () => {
  const r = await run(
    `require ["enotify", "variables", "fileinto"];
     set :encodeurl "u" "\\\\frop\\\\&fruts/^@";
     if string :is :comparator "i;octet" "\${u}" "%5Cfrop%5C%26fruts%2F%5E%40" { fileinto "ok"; }`,
  );
  assert.equal(r.error, null);
  assert.deepEqual(
    r.actions.map((a) => (a.type === "fileinto" ? a.mailbox : a.type)),
    ["ok"],
  );
});

test("compile errors: bad URIs, :from, :importance, :options, with positions", () => {
  const d = checkSieve(
    [
      'require "enotify";',
      'notify "mailto:stephan@example.org;?header=frop";',
      'notify :from "stephan#example.org" "mailto:a@example.com";',
      'notify :importance "4" "mailto:a@example.com";',
      'notify :options "frop" "mailto:a@example.com";',
      'notify "xmpp:a@example.org";',
    ].join("\n"),
  );
  assert.deepEqual(
    d.map((x) => x.line),
    [2, 3, 4, 5, 6],
  );
  assert.match(d[0]!.message, /invalid character ';'/);
  assert.match(d[1]!.message, /invalid :from/);
  assert.match(d[4]!.message, /not supported/);
});

test("limits: duplicates merge, maxNotify, runtime URI errors, no notify for auto-submitted mail", async () => {
  const twice = await run('require "enotify"; notify "mailto:a@example.com"; notify "mailto:a@example.com";');
  assert.equal(notifies(twice.actions).length, 1);
  const many = await run(
    'require "enotify"; notify "mailto:a@example.com"; notify "mailto:b@example.com"; notify "mailto:c@example.com";',
    { limits: { maxNotify: 2 } },
  );
  assert.match(many.error?.message ?? "", /number of notify actions exceeds policy limit \(2\)/);
  const bad = await run('require ["enotify", "variables"]; set "u" "mailto:x%23y"; notify "${u}";');
  assert.match(bad.error?.message ?? "", /invalid recipient/);
  const auto = await run('require "enotify"; notify "mailto:a@example.com";', {
    raw: "Auto-Submitted: auto-replied\r\nSubject: x\r\n\r\nbody\r\n",
  });
  assert.equal(auto.error, null);
  assert.equal(notifies(auto.actions).length, 0);
});
