import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildMessageView } from "../message-view.js";
import { MemorySpamModel } from "./memory-model.js";
import { tokenHashes } from "./tokens.js";
import { trainMessage } from "./train.js";

const body = Buffer.from("From: a@b.example\r\nSubject: cheap pills\r\n\r\nbuy cheap pills today\r\n");
const hashes = tokenHashes(buildMessageView(body));

async function countsOf(store: MemorySpamModel, scope: number) {
  const counts = await store.tokenCounts(scope, hashes);
  return { totals: await store.modelTotals(scope), first: counts.get(hashes[0] ?? -1), known: counts.size };
}

describe("trainMessage", () => {
  it("trains a user's message into the global and the user's model, once per key", async () => {
    const store = new MemorySpamModel();
    assert.equal(await trainMessage(store, { accountId: 7, key: "blob1", as: "spam", body }), "trained");
    assert.equal(await trainMessage(store, { accountId: 7, key: "blob1", as: "spam", body }), "unchanged");
    for (const scope of [0, 7]) {
      assert.deepEqual(await countsOf(store, scope), {
        totals: { spam: 1, ham: 0 },
        first: { spam: 1, ham: 0 },
        known: hashes.length,
      });
    }
    assert.equal(await store.trainedAs(7, "blob1"), "spam");
    assert.equal(await store.trainedAs(8, "blob1"), null);
  });

  it("moves the counts on a retrain and removes them when forgotten, never below 0", async () => {
    const store = new MemorySpamModel();
    await trainMessage(store, { accountId: 7, key: "blob1", as: "spam", body });
    assert.equal(await trainMessage(store, { accountId: 7, key: "blob1", as: "ham", body }), "retrained");
    assert.deepEqual(await countsOf(store, 7), {
      totals: { spam: 0, ham: 1 },
      first: { spam: 0, ham: 1 },
      known: hashes.length,
    });
    assert.equal(await trainMessage(store, { accountId: 7, key: "blob1", as: null, body }), "forgotten");
    assert.equal(await trainMessage(store, { accountId: 7, key: "blob1", as: null, body }), "unchanged");
    assert.deepEqual(await countsOf(store, 0), { totals: { spam: 0, ham: 0 }, first: undefined, known: 0 });
    assert.deepEqual(await store.modelStats(), { models: 0, tokens: 0 });
  });

  it("sends an admin's corpus (account 0) to the global model only", async () => {
    const store = new MemorySpamModel();
    await trainMessage(store, { accountId: 0, key: "sha:1", as: "ham", body });
    assert.deepEqual((await countsOf(store, 0)).totals, { spam: 0, ham: 1 });
    assert.deepEqual(await store.modelStats(), { models: 1, tokens: hashes.length });
  });

  it("two users training the same message count it twice in the global model", async () => {
    const store = new MemorySpamModel();
    await trainMessage(store, { accountId: 7, key: "blob1", as: "spam", body });
    await trainMessage(store, { accountId: 8, key: "blob1", as: "spam", body });
    assert.deepEqual((await countsOf(store, 0)).totals, { spam: 2, ham: 0 });
    assert.deepEqual((await countsOf(store, 8)).totals, { spam: 1, ham: 0 });
  });
});

describe("MemorySpamModel", () => {
  it("never counts below 0, even when asked to remove tokens it does not hold", async () => {
    const store = new MemorySpamModel();
    await store.train({ accountId: 1, key: "k", as: "spam", hashes: [1, 2], scopes: [0] });
    // Forgetting with other hashes (a tokenizer that changed between the two calls).
    assert.equal(
      await store.train({ accountId: 1, key: "k", as: null, hashes: [2, 3], scopes: [0] }),
      "forgotten",
    );
    assert.deepEqual(await store.tokenCounts(0, [1, 2, 3]), new Map([[1, { spam: 1, ham: 0 }]]));
    assert.deepEqual(await store.modelTotals(0), { spam: 0, ham: 0 });
    assert.equal(
      await store.train({ accountId: 1, key: "k", as: "ham", hashes: [3], scopes: [0] }),
      "trained",
    );
    assert.deepEqual(await store.modelTotals(0), { spam: 0, ham: 1 });
  });
});
