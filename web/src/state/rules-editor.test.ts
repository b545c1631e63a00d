// The rules editor's state (state/rules-editor.ts) against scripts in memory: the first save
// creates and activates the rules script, later ones replace it; on/off, order, delete; a
// script edited by hand is no list; a refusal is kept with the server's words.
import assert from "node:assert/strict";
import { test } from "node:test";
import { emptyRule, type Rule } from "../rules/model";
import { rulesToSieve } from "../rules/sieve-write";
import { FakeSieve } from "./fake-sieve";
import { RulesEditor } from "./rules-editor";

const rule = (name: string): Rule => ({ ...emptyRule(), name, actions: [{ kind: "move", folder: name }] });
const active = (j: FakeSieve) => {
  const s = j.scripts.find((x) => x.isActive);
  return s ? { name: s.name, text: j.blobData.get(s.blobId) } : null;
};

test("no script yet: no rules; the first save creates the script and activates it", async () => {
  const j = new FakeSieve();
  const ed = new RulesEditor(j, j.blobs);
  await ed.load();
  assert.deepEqual([ed.state.loaded, ed.state.rules, ed.state.script], [true, [], null]);
  assert.equal(await ed.put(null, rule("A")), true);
  assert.deepEqual(ed.state.rules, [rule("A")]);
  assert.deepEqual(active(j), { name: "yubin-rules", text: rulesToSieve([rule("A")]) });
  assert.equal(ed.state.version, 1);
  await ed.put(null, rule("B"));
  await ed.put(0, rule("C"));
  assert.deepEqual(ed.state.rules, [rule("C"), rule("B")]);
  assert.equal(j.scripts.length, 1, "replaced, not a second script");
  await ed.move(1, -1);
  assert.deepEqual(ed.state.rules, [rule("B"), rule("C")]);
  await ed.setEnabled(0, false);
  assert.deepEqual(ed.state.rules, [{ ...rule("B"), enabled: false }, rule("C")]);
  await ed.remove(0);
  assert.deepEqual(active(j), { name: "yubin-rules", text: rulesToSieve([rule("C")]) });
});

test("another active script is named, and replaced as the active one by a save", async () => {
  const j = new FakeSieve();
  j.blobData.set("X", "keep;");
  j.scripts.push({ id: "S0", name: "mine", blobId: "X", isActive: true });
  const ed = new RulesEditor(j, j.blobs);
  await ed.load();
  assert.equal(ed.otherActive()?.name, "mine");
  await ed.put(null, rule("A"));
  assert.equal(ed.otherActive(), null);
  assert.equal(active(j)?.name, "yubin-rules");
});

test("a script edited by hand is no list; starting over replaces it", async () => {
  const j = new FakeSieve();
  const ed = new RulesEditor(j, j.blobs);
  await ed.load();
  await ed.put(null, rule("A"));
  const s = j.scripts[0]!;
  j.blobData.set("H", `${rulesToSieve([rule("A")])}discard;\n`);
  s.blobId = "H";
  await ed.load();
  assert.equal(ed.state.rules, null);
  await ed.startOver();
  assert.deepEqual(ed.state.rules, []);
  assert.equal(active(j)?.text, rulesToSieve([]));
});

test("a refused save keeps the list and says why; the next good save clears it", async () => {
  const j = new FakeSieve();
  const ed = new RulesEditor(j, j.blobs);
  await ed.load();
  assert.equal(await ed.put(null, rule("BAD")), false);
  assert.equal(ed.state.refused, "line 2, column 3: unknown command");
  assert.deepEqual(ed.state.rules, []);
  assert.deepEqual(j.scripts, []);
  assert.equal(await ed.put(null, rule("ok")), true);
  assert.equal(ed.state.refused, null);
  // Anything else (the network, the session) is thrown to the caller.
  j.failNext = "serverFail";
  await assert.rejects(ed.put(null, rule("x")), { type: "serverFail" });
});
