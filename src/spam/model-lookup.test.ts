import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classify, MIN_TRAINED } from "./classifier/classify.js";
import { MemorySpamModel } from "./classifier/memory-model.js";
import { TokenCache } from "./classifier/token-cache.js";
import { messageTokens } from "./classifier/tokens.js";
import { trainMessage } from "./classifier/train.js";
import { buildMessageView } from "./message-view.js";
import { modelLookup } from "./model-lookup.js";

const USER = 7;

/** The store read through no cache: every message's lookups reach it, to be counted. */
const direct = (store: MemorySpamModel) => new TokenCache(store, { maxEntries: 0 });

function message(subject: string, words: string): Buffer {
  return Buffer.from(
    `From: x@sender.example\r\nTo: bob@example.test\r\nSubject: ${subject}\r\n\r\n${words}\r\n`,
  );
}

/** The in-memory model, counting the token lookups per scope. */
class CountingModel extends MemorySpamModel {
  lookups: number[] = [];
  override tokenCounts(scope: number, hashes: readonly number[]) {
    this.lookups.push(scope);
    return super.tokenCounts(scope, hashes);
  }
}

async function train(store: MemorySpamModel, accountId: number, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await trainMessage(store, {
      accountId,
      key: `s${accountId}-${i}`,
      as: "spam",
      body: message("Cheap pills", `cheap pills casino bonus winner offer${i}`),
    });
    await trainMessage(store, {
      accountId,
      key: `h${accountId}-${i}`,
      as: "ham",
      body: message("Project review", `meeting agenda patch release minutes${i}`),
    });
  }
}

const probe = buildMessageView(message("Cheap pills", "cheap pills casino bonus winner today"));

describe("modelLookup", () => {
  it("looks no token up while the models cannot be ready, and says not ready", async () => {
    const store = new CountingModel();
    await train(store, 0, MIN_TRAINED - 1);
    const r = await modelLookup(direct(store), probe).classify(USER);
    assert.deepEqual(r, { probability: 0.5, ready: false });
    assert.deepEqual(store.lookups, []);
    // classify() itself says the same: not ready.
    assert.equal((await classify(store, { accountId: USER }, messageTokens(probe))).ready, false);
  });

  it("a recipient without training gets the global model's answer, from the global lookup alone", async () => {
    const store = new CountingModel();
    await train(store, 0, MIN_TRAINED);
    const want = await classify(store, { accountId: USER }, messageTokens(probe));
    store.lookups = [];
    const got = await modelLookup(direct(store), probe).classify(USER);
    assert.deepEqual(got, { probability: want.probability, ready: true });
    assert.ok(got.probability > 0.9);
    assert.deepEqual(store.lookups, [0]);
  });

  it("a recipient with training gets their own model over the global one", async () => {
    const store = new CountingModel();
    await train(store, 0, MIN_TRAINED);
    await trainMessage(store, {
      accountId: USER,
      key: "mine",
      as: "ham",
      body: message("Cheap pills", "cheap pills casino bonus winner today"),
    });
    const want = await classify(store, { accountId: USER }, messageTokens(probe));
    const global = await classify(store, { accountId: null }, messageTokens(probe));
    assert.notEqual(want.probability, global.probability);
    store.lookups = [];
    const lookup = modelLookup(direct(store), probe);
    assert.deepEqual(await lookup.classify(USER), { probability: want.probability, ready: true });
    assert.deepEqual(await lookup.classify(null), { probability: global.probability, ready: true });
    assert.deepEqual(store.lookups.sort(), [0, 0, USER]);
  });

  it("training takes effect for the next message, through the cache kept across messages", async () => {
    const store = new CountingModel();
    const cache = new TokenCache(store, { maxEntries: 1000 });
    assert.equal((await modelLookup(cache, probe).classify(null)).ready, false);
    await train(store, 0, MIN_TRAINED);
    const before = await modelLookup(cache, probe).classify(null);
    assert.equal(before.ready, true);
    assert.ok(before.probability > 0.9);
    store.lookups = [];
    assert.deepEqual(await modelLookup(cache, probe).classify(null), before);
    assert.deepEqual(store.lookups, [], "the same tokens again: all from the cache");
    await trainMessage(store, {
      accountId: 0,
      key: "probe-ham",
      as: "ham",
      body: message("Cheap pills", "cheap pills casino bonus winner today"),
    });
    const after = await modelLookup(cache, probe).classify(null);
    const want = await classify(store, { accountId: null }, messageTokens(probe));
    assert.deepEqual(after, { probability: want.probability, ready: true });
    assert.ok(after.probability < before.probability);
    assert.deepEqual(store.lookups, [0, 0], "looked up again after the training");
  });
});
