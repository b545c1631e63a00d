// The JMAP Sieve client (mail/sieve-scripts.ts) against an account in memory that answers
// SieveScript/get, /set and /validate as RFC 9661 says: the wire format of each call, activation
// only when the set succeeds, refusals thrown with the server's description.
import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeSieve } from "../state/fake-sieve";
import {
  activateScript,
  destroyScript,
  diagnostics,
  listScripts,
  readNamed,
  saveScript,
  validateScript,
} from "./sieve-scripts";

test("save creates the named script from an uploaded blob and activates it in the same call", async () => {
  const j = new FakeSieve();
  const s = await saveScript(j, j.blobs, { id: null, name: "yubin-rules", text: "keep;\n", activate: true });
  assert.deepEqual(j.calls.at(-1), [
    "SieveScript/set",
    {
      accountId: "A1",
      create: { new: { name: "yubin-rules", blobId: "B1" } },
      onSuccessActivateScript: "#new",
    },
    "0",
  ]);
  assert.deepEqual(s, { id: "S2", name: "yubin-rules", blobId: "B1", isActive: true });
  assert.deepEqual(await readNamed(j, j.blobs, "yubin-rules"), {
    script: { id: "S2", name: "yubin-rules", blobId: "B1", isActive: true },
    text: "keep;\n",
    all: j.scripts,
  });
  // Saved again: an update of the same script, which stays active.
  await saveScript(j, j.blobs, { id: "S2", name: "yubin-rules", text: "discard;\n", activate: true });
  assert.deepEqual(j.calls.at(-1)?.[1], {
    accountId: "A1",
    update: { S2: { blobId: "B3" } },
    onSuccessActivateScript: "S2",
  });
  assert.equal((await readNamed(j, j.blobs, "yubin-rules")).text, "discard;\n");
  assert.deepEqual(await readNamed(j, j.blobs, "other"), { script: null, text: "", all: j.scripts });
});

test("a refused script is thrown with the server's description and nothing is activated", async () => {
  const j = new FakeSieve();
  await assert.rejects(saveScript(j, j.blobs, { id: null, name: "x", text: "BAD", activate: true }), {
    type: "invalidSieve",
    description: "line 2, column 3: unknown command",
  });
  assert.deepEqual(j.scripts, []);
});

test("validate, activate, deactivate and destroy", async () => {
  const j = new FakeSieve();
  assert.equal(await validateScript(j, j.blobs, "keep;"), null);
  assert.deepEqual(j.calls.at(-1)?.[1], { accountId: "A1", blobId: "B1" });
  assert.deepEqual(await validateScript(j, j.blobs, "BAD"), {
    type: "invalidSieve",
    description: "line 2, column 3: unknown command",
  });
  const a = await saveScript(j, j.blobs, { id: null, name: "a", text: "keep;", activate: false });
  assert.equal((await listScripts(j))[0]?.isActive, false);
  await activateScript(j, a.id);
  assert.deepEqual(j.calls.at(-1)?.[1], { accountId: "A1", onSuccessActivateScript: a.id });
  assert.equal((await listScripts(j))[0]?.isActive, true);
  await assert.rejects(destroyScript(j, a.id), { type: "sieveIsActive" });
  await activateScript(j, null);
  assert.deepEqual(j.calls.at(-1)?.[1], { accountId: "A1", onSuccessDeactivateScript: true });
  await destroyScript(j, a.id);
  await destroyScript(j, a.id);
  assert.deepEqual(await listScripts(j), []);
});

test("diagnostics: line and column of each line of a description", () => {
  assert.deepEqual(
    diagnostics("line 2, column 3: unknown command\nline 10, column 1: missing ;\nsomething"),
    [
      { line: 2, column: 3, message: "unknown command" },
      { line: 10, column: 1, message: "missing ;" },
      { line: null, column: null, message: "something" },
    ],
  );
});
