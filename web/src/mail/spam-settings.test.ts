// The spam settings' entries (mail/spam-settings.ts): addresses or @domain, lower-cased, once.
import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeJmap } from "../state/fake-jmap";
import { loadSpamLists, saveSpamList, spamEntry, withEntry } from "./spam-settings";

test("spamEntry: an address or @domain, trimmed and lower-cased; anything else refused", () => {
  assert.equal(spamEntry(" Ann@Example.COM "), "ann@example.com");
  assert.equal(spamEntry("@Lists.Example.org"), "@lists.example.org");
  for (const bad of [
    "",
    "ann",
    "ann@",
    "@",
    "@localhost",
    "a@b@c.example",
    "a b@c.example",
    "a@b..c",
    "<a@b.c>",
  ])
    assert.equal(spamEntry(bad), null, bad);
  assert.equal(spamEntry(`${"a".repeat(250)}@b.example`), null, "longer than a path");
});

test("withEntry: added once, at the end", () => {
  assert.deepEqual(withEntry(["a@b.example"], "@c.example"), ["a@b.example", "@c.example"]);
  assert.deepEqual(withEntry(["a@b.example"], "a@b.example"), ["a@b.example"]);
});

test("load and save: one list is sent, the other left; a refusal is thrown with its type", async () => {
  const j = new FakeJmap();
  j.spam = { allow: ["a@b.example"], block: [] };
  assert.deepEqual(await loadSpamLists(j), { allow: ["a@b.example"], block: [] });
  await saveSpamList(j, "block", ["@spam.example"]);
  assert.deepEqual(j.calls.at(-1)?.[1], {
    accountId: "A1",
    update: { singleton: { block: ["@spam.example"] } },
  });
  assert.deepEqual(j.spam, { allow: ["a@b.example"], block: ["@spam.example"] });
  await assert.rejects(saveSpamList(j, "allow", ["nope"]), { type: "invalidProperties" });
  assert.deepEqual(j.spam.allow, ["a@b.example"]);
});
