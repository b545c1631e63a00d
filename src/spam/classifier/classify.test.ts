import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildMessageView } from "../message-view.js";
import { chi2Q, classify, fisherCombine, MIN_TRAINED } from "./classify.js";
import { MemorySpamModel } from "./memory-model.js";
import { messageTokens } from "./tokens.js";
import { trainMessage } from "./train.js";

const SPAM_WORDS = [
  "viagra",
  "cheap",
  "pills",
  "casino",
  "winner",
  "bonus",
  "unsubscribe",
  "offer",
  "credit",
  "loan",
];
const HAM_WORDS = [
  "meeting",
  "agenda",
  "project",
  "review",
  "patch",
  "kernel",
  "release",
  "minutes",
  "thanks",
  "build",
];

function message(from: string, subject: string, words: string[]): Buffer {
  return Buffer.from(
    `From: ${from}\r\nTo: bob@example.test\r\nSubject: ${subject}\r\n\r\n${words.join(" ")}\r\n`,
  );
}

/** A message of 6 words from the list, varied by n, plus a per-message filler word. */
function sample(words: string[], n: number): string[] {
  return [0, 1, 2, 3, 4, 5].map((k) => words[(n + k * 3) % words.length] ?? "").concat(`filler${n}`);
}

async function trainedModel(): Promise<MemorySpamModel> {
  const store = new MemorySpamModel();
  for (let i = 0; i < MIN_TRAINED; i++) {
    await trainMessage(store, {
      accountId: 0,
      key: `s${i}`,
      as: "spam",
      body: message("promo@offers.example", "Great offer", sample(SPAM_WORDS, i)),
    });
    await trainMessage(store, {
      accountId: 0,
      key: `h${i}`,
      as: "ham",
      body: message("alice@work.example", "Project review", sample(HAM_WORDS, i)),
    });
  }
  return store;
}

async function score(store: MemorySpamModel, accountId: number | null, body: Buffer) {
  return classify(store, { accountId }, messageTokens(buildMessageView(body)));
}

describe("classify", () => {
  it("is not ready and says 0.5 with an untrained model", async () => {
    const c = await score(new MemorySpamModel(), 5, message("a@b.example", "hello", ["viagra"]));
    assert.deepEqual(c, { probability: 0.5, ready: false, clues: 0 });
  });

  it("is not ready below MIN_TRAINED of each class", async () => {
    const store = new MemorySpamModel();
    for (let i = 0; i < MIN_TRAINED - 1; i++) {
      await trainMessage(store, {
        accountId: 0,
        key: `s${i}`,
        as: "spam",
        body: message("x@y.example", "a", ["cheap"]),
      });
      await trainMessage(store, {
        accountId: 0,
        key: `h${i}`,
        as: "ham",
        body: message("x@y.example", "a", ["agenda"]),
      });
    }
    assert.equal((await score(store, null, message("x@y.example", "a", ["cheap"]))).ready, false);
  });

  it("separates obvious spam from obvious ham once trained", async () => {
    const store = await trainedModel();
    const spam = await score(
      store,
      null,
      message("promo@offers.example", "Great offer", ["cheap", "viagra", "casino"]),
    );
    const ham = await score(
      store,
      null,
      message("alice@work.example", "Project review", ["agenda", "patch", "kernel"]),
    );
    assert.equal(spam.ready, true);
    assert.ok(spam.probability > 0.95, `spam ${spam.probability}`);
    assert.ok(ham.probability < 0.05, `ham ${ham.probability}`);
    assert.ok(spam.clues > 3 && ham.clues > 3);
    // Words never seen say nothing: 0.5, no clues.
    const unknown = await score(store, null, Buffer.from("Q: zzzq\r\n\r\nqqqzz wwwyy\r\n"));
    assert.equal(unknown.clues, 0);
    assert.equal(unknown.probability, 0.5);
  });

  it("a user's training changes that user's verdict, not another user's as much", async () => {
    const store = await trainedModel();
    const newsletter = (i: number) =>
      message("news@letters.example", "Weekly digest", [
        `widget${i % 3}`,
        "digest",
        "weekly",
        "gadgets",
        "deals",
      ]);
    const before7 = await score(store, 7, newsletter(99));
    const before8 = await score(store, 8, newsletter(99));
    assert.equal(before7.probability, before8.probability, "no user training: both get the global model");
    for (let i = 0; i < 5; i++) {
      await trainMessage(store, { accountId: 7, key: `n${i}`, as: "spam", body: newsletter(i) });
    }
    const after7 = await score(store, 7, newsletter(99));
    const after8 = await score(store, 8, newsletter(99));
    assert.ok(after7.probability > 0.9, `user 7: ${after7.probability}`);
    assert.ok(after7.probability > after8.probability, `${after7.probability} vs ${after8.probability}`);
    // And the other way: user 8 calls the same newsletter ham, and their verdict follows them.
    for (let i = 0; i < 5; i++) {
      await trainMessage(store, { accountId: 8, key: `n${i}`, as: "ham", body: newsletter(i + 10) });
    }
    const final8 = await score(store, 8, newsletter(99));
    const final7 = await score(store, 7, newsletter(99));
    assert.ok(final8.probability < 0.5, `user 8: ${final8.probability}`);
    assert.ok(final7.probability > final8.probability);
  });
});

describe("the message test's ham side is capped (messageHamLogOdds)", () => {
  // A known spam sender (header tokens only spam had) that pads the text with everyday words
  // (the "good word" attack): the text's ham verdict, Fisher's certainty over many words that
  // occur together, must not cancel the header test's spam verdict.
  const padded = () => message("promo@offers.example", "Project review", [...HAM_WORDS, ...HAM_WORDS]);

  it("lets the header test's spam verdict win over a padded text", async () => {
    const store = await trainedModel();
    const tokens = messageTokens(buildMessageView(padded()));
    const capped = await classify(store, { accountId: null }, tokens);
    const uncapped = await classify(
      store,
      { accountId: null, params: { messageHamLogOdds: Infinity } },
      tokens,
    );
    // Both tests are sure (log-odds ±12, their clip): without the cap they cancel to "unsure".
    assert.ok(uncapped.probability <= 0.5, `without the cap ${uncapped.probability}`);
    assert.ok(capped.probability > 0.95, `with the cap ${capped.probability}`);
  });

  it("keeps ham from a ham sender sure, and the text's spam side uncapped", async () => {
    const store = await trainedModel();
    const ham = await score(store, null, message("alice@work.example", "Project review", [...HAM_WORDS]));
    assert.ok(ham.probability < 0.01, `ham ${ham.probability}`);
    // Spam words from a ham sender: the text's spam side is not capped, so it still counts fully.
    const spammyText = message("alice@work.example", "Great offer", [...SPAM_WORDS]);
    const tokens = messageTokens(buildMessageView(spammyText));
    const a = await classify(store, { accountId: null }, tokens);
    const b = await classify(store, { accountId: null, params: { messageHamLogOdds: Infinity } }, tokens);
    assert.equal(a.probability, b.probability);
  });

  it("does nothing with one pooled test", async () => {
    const store = await trainedModel();
    const tokens = messageTokens(buildMessageView(padded()));
    const a = await classify(store, { accountId: null, params: { split: false } }, tokens);
    const b = await classify(
      store,
      { accountId: null, params: { split: false, messageHamLogOdds: Infinity } },
      tokens,
    );
    assert.equal(a.probability, b.probability);
  });
});

describe("fisherCombine", () => {
  it("is 0.5 with no clues or balanced clues, and follows one-sided evidence", () => {
    assert.equal(fisherCombine([]), 0.5);
    assert.ok(Math.abs(fisherCombine([0.99, 0.01]) - 0.5) < 1e-9);
    assert.ok(fisherCombine([0.99, 0.95, 0.9]) > 0.9);
    assert.ok(fisherCombine([0.01, 0.05, 0.1]) < 0.1);
    // Hundreds of clues do not underflow.
    assert.ok(fisherCombine(Array.from({ length: 500 }, () => 0.999)) > 0.99);
  });
  it("chi2Q matches the closed forms", () => {
    assert.equal(chi2Q(0, 2), 1);
    assert.ok(Math.abs(chi2Q(2, 2) - Math.exp(-1)) < 1e-12);
    // v = 4: e^(−m)(1 + m), m = 3.
    assert.ok(Math.abs(chi2Q(6, 4) - Math.exp(-3) * 4) < 1e-12);
  });
});
