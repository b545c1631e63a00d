// The SpamStore part of the store contract (token counts per model, idempotent training, users'
// spam settings, recent verdicts), run by runStoreContract (contract.ts) against every backend.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { account, type ContractHandle, rejectsWith, withStore } from "./contract-kit.js";
import { runSpamExpiryContract } from "./contract-spam-expiry.js";
import type { SpamTraining, SpamVerdictRecord, Store } from "./types.js";

/** Counts as plain objects, by hash, for deepEqual. */
async function counts(store: Store, scope: number, hashes: number[]) {
  return Object.fromEntries(
    [...(await store.spam.tokenCounts(scope, hashes))].map(([h, c]) => [h, [c.spam, c.ham]]),
  );
}

const BIG = 2 ** 53 - 1;

function verdict(n: number, extra: Partial<SpamVerdictRecord> = {}): SpamVerdictRecord {
  return {
    at: new Date(Date.parse("2030-01-01T00:00:00Z") + n * 1000),
    messageId: `id-${n}`,
    door: "inbound",
    mailFrom: `sender${n}@example.org`,
    recipient: "bob@example.com",
    recipients: 1,
    score: n / 2,
    action: "deliver",
    reasons: `BAYES_${n}=1.5 DNSBL=2`,
    ...extra,
  };
}

export function runSpamContract(open: () => Promise<ContractHandle>): void {
  runSpamExpiryContract(open);
  describe("spam: models, training, prefs and verdicts", () => {
    test("training counts each token once per message and model; unseen tokens are absent", () =>
      withStore(open, async ({ store }) => {
        const a = await account(store, "bob@example.com");
        const sp = store.spam;
        assert.deepEqual(await sp.modelTotals(0), { spam: 0, ham: 0 });
        assert.equal((await sp.tokenCounts(0, [1, 2, 3])).size, 0);
        const t = (key: string, as: SpamTraining["as"], hashes: number[]): SpamTraining => ({
          accountId: a.id,
          key,
          as,
          hashes,
          scopes: [0, a.id],
        });
        assert.equal(await sp.train(t("m1", "spam", [1, 2, BIG])), "trained");
        assert.equal(await sp.train(t("m2", "spam", [2, 3])), "trained");
        assert.equal(await sp.train(t("m3", "ham", [3, 4, 4])), "trained", "a repeated hash counts once");
        for (const scope of [0, a.id]) {
          assert.deepEqual(await counts(store, scope, [1, 2, 3, 4, BIG, 99]), {
            1: [1, 0],
            2: [2, 0],
            3: [1, 1],
            4: [0, 1],
            [BIG]: [1, 0],
          });
          assert.deepEqual(await sp.modelTotals(scope), { spam: 2, ham: 1 });
        }
        assert.deepEqual(await counts(store, 0, []), {});
        assert.deepEqual(await counts(store, 0, [2, 2, 2]), { 2: [2, 0] });
        assert.deepEqual(await sp.modelStats(), { models: 2, tokens: 10 });
        assert.equal(await sp.trainedAs(a.id, "m1"), "spam");
        assert.equal(await sp.trainedAs(a.id, "m3"), "ham");
        assert.equal(await sp.trainedAs(a.id, "nope"), null);
        assert.equal(await sp.trainedAs(0, "m1"), null, "keys are per account");
      }));

    test("the models' version changes with every training that changes a model, and only then", () =>
      withStore(open, async (h) => {
        const a = await account(h.store, "bob@example.com");
        const sp = h.store.spam;
        const t = (as: SpamTraining["as"]): SpamTraining => ({
          accountId: a.id,
          key: "blob-1",
          as,
          hashes: [10, 11],
          scopes: [0, a.id],
        });
        const seen = [await sp.modelVersion()];
        const changed = async (what: string) => {
          const v = await sp.modelVersion();
          assert.ok(!seen.includes(v), `${what}: version ${v} again`);
          seen.push(v);
        };
        const same = async (what: string) => assert.equal(await sp.modelVersion(), seen.at(-1), what);
        await same("a read changes nothing");
        assert.equal(await sp.train(t("spam")), "trained");
        await changed("trained");
        assert.equal(await sp.train(t("spam")), "unchanged");
        await same("unchanged");
        assert.equal(await sp.train(t("ham")), "retrained");
        await changed("retrained");
        assert.equal(await sp.train(t(null)), "forgotten");
        await changed("forgotten");
        assert.equal(await sp.train(t(null)), "unchanged");
        await same("nothing to forget");
        await rejectsWith(sp.train({ ...t("spam"), scopes: [0, a.id + 1000] }), "not-found");
        await same("a refused training");
        await sp.recordVerdict(verdict(1), 10);
        await same("verdicts are not the models");
        await sp.setSpamPrefs(a.id, { junkScore: 4 });
        await changed("prefs (cached with the models by the filter)");
        assert.equal(await sp.train(t("spam")), "trained");
        await changed("trained again");
        const again = await h.reopen();
        assert.equal(await again.spam.modelVersion(), seen.at(-1), "durable");
        await again.directory.removeAccount(a.id);
        assert.ok(!seen.includes(await again.spam.modelVersion()), "removing an account removes its model");
      }));

    test("the same key again is unchanged; the other class moves its tokens; null forgets it", () =>
      withStore(open, async ({ store }) => {
        const a = await account(store, "bob@example.com");
        const sp = store.spam;
        const t = (as: SpamTraining["as"], hashes = [10, 11]): SpamTraining => ({
          accountId: a.id,
          key: "blob-1",
          as,
          hashes,
          scopes: [0, a.id],
        });
        await sp.train({ accountId: 0, key: "corpus-1", as: "ham", hashes: [11, 12], scopes: [0] });
        assert.equal(await sp.train(t("spam")), "trained");
        assert.equal(await sp.train(t("spam")), "unchanged");
        assert.deepEqual(await counts(store, 0, [10, 11, 12]), { 10: [1, 0], 11: [1, 1], 12: [0, 1] });
        assert.deepEqual(await sp.modelTotals(0), { spam: 1, ham: 1 });

        assert.equal(await sp.train(t("ham")), "retrained");
        assert.equal(await sp.trainedAs(a.id, "blob-1"), "ham");
        assert.deepEqual(await counts(store, 0, [10, 11, 12]), { 10: [0, 1], 11: [0, 2], 12: [0, 1] });
        assert.deepEqual(await counts(store, a.id, [10, 11, 12]), { 10: [0, 1], 11: [0, 1] });
        assert.deepEqual(await sp.modelTotals(0), { spam: 0, ham: 2 });
        assert.deepEqual(await sp.modelTotals(a.id), { spam: 0, ham: 1 });
        assert.equal(await sp.train(t("ham")), "unchanged");

        assert.equal(await sp.train(t(null)), "forgotten");
        assert.equal(await sp.trainedAs(a.id, "blob-1"), null);
        assert.equal(await sp.train(t(null)), "unchanged", "forgetting twice");
        assert.deepEqual(await counts(store, 0, [10, 11, 12]), { 11: [0, 1], 12: [0, 1] });
        assert.deepEqual(await counts(store, a.id, [10, 11, 12]), {}, "rows at 0/0 are gone");
        assert.deepEqual(await sp.modelTotals(a.id), { spam: 0, ham: 0 });
        assert.deepEqual(await sp.modelStats(), { models: 1, tokens: 2 });
        assert.equal(await sp.train(t("spam")), "trained", "a forgotten key trains anew");
      }));

    test("untraining never takes a count below zero", () =>
      withStore(open, async ({ store }) => {
        const a = await account(store, "bob@example.com");
        const sp = store.spam;
        await sp.train({ accountId: a.id, key: "k", as: "spam", hashes: [1], scopes: [a.id] });
        // Forgotten with more hashes than it was trained with (the tokeniser changed): the extra
        // ones are not counted anywhere and stay absent; the ones another message has stay.
        await sp.train({ accountId: a.id, key: "other", as: "ham", hashes: [2], scopes: [a.id] });
        assert.equal(
          await sp.train({ accountId: a.id, key: "k", as: null, hashes: [1, 2, 3], scopes: [a.id] }),
          "forgotten",
        );
        assert.deepEqual(await counts(store, a.id, [1, 2, 3]), { 2: [0, 1] });
        assert.deepEqual(await sp.modelTotals(a.id), { spam: 0, ham: 1 });
        assert.deepEqual(await sp.modelStats(), { models: 1, tokens: 1 });
        // Retrained after the global model lost that message (untrained from scopes it is in).
        await sp.train({ accountId: a.id, key: "other", as: "spam", hashes: [2], scopes: [a.id] });
        assert.deepEqual(await counts(store, a.id, [2]), { 2: [1, 0] });
        assert.deepEqual(await sp.modelTotals(a.id), { spam: 1, ham: 0 });
        assert.deepEqual(await sp.modelStats(), { models: 1, tokens: 1 });
        // A model whose messages are all untrained but whose tokens were not (other hashes given)
        // still counts its tokens, and is not a model "with training".
        await sp.train({ accountId: a.id, key: "third", as: "spam", hashes: [8, 9], scopes: [a.id] });
        await sp.train({ accountId: a.id, key: "third", as: null, hashes: [9], scopes: [a.id] });
        await sp.train({ accountId: a.id, key: "other", as: null, hashes: [2], scopes: [a.id] });
        assert.deepEqual(await counts(store, a.id, [2, 8, 9]), { 8: [1, 0] });
        assert.deepEqual(await sp.modelTotals(a.id), { spam: 0, ham: 0 });
        assert.deepEqual(await sp.modelStats(), { models: 0, tokens: 1 });
      }));

    test("bad training is refused whole: invalid input, unknown accounts and scopes", () =>
      withStore(open, async ({ store }) => {
        const a = await account(store, "bob@example.com");
        const sp = store.spam;
        const ok: SpamTraining = { accountId: a.id, key: "k", as: "spam", hashes: [1], scopes: [0, a.id] };
        for (const bad of [
          { hashes: [-1] },
          { hashes: [2 ** 53] },
          { hashes: [1.5] },
          { hashes: [Number.NaN] },
          { key: "" },
          { key: "x".repeat(513) },
          { as: "maybe" as "spam" },
          { scopes: [-1] },
          { scopes: [] },
          { accountId: -3 },
        ]) {
          await rejectsWith(sp.train({ ...ok, ...bad }), "invalid");
        }
        await rejectsWith(sp.train({ ...ok, accountId: 9999, scopes: [0] }), "not-found");
        await rejectsWith(sp.train({ ...ok, scopes: [0, 9999] }), "not-found");
        await rejectsWith(sp.tokenCounts(0, [-5]), "invalid");
        await rejectsWith(sp.tokenCounts(-1, [5]), "invalid");
        assert.deepEqual(await sp.modelTotals(0), { spam: 0, ham: 0 }, "nothing half-trained");
        assert.deepEqual(await sp.modelStats(), { models: 0, tokens: 0 });
        assert.equal(await sp.train(ok), "trained");
      }));

    test("training is durable and a large message is counted in full", () =>
      withStore(open, async (h) => {
        const a = await account(h.store, "bob@example.com");
        const hashes = Array.from({ length: 5000 }, (_, i) => i * 7919 + 1);
        await h.store.spam.train({ accountId: a.id, key: "big", as: "spam", hashes, scopes: [0, a.id] });
        await h.store.spam.setSpamPrefs(a.id, { allow: ["@friends.example"], junkScore: 4.5 });
        await h.store.spam.recordVerdict(verdict(1), 10);
        const again = await h.reopen();
        const got = await again.spam.tokenCounts(a.id, hashes);
        assert.equal(got.size, 5000);
        assert.ok([...got.values()].every((c) => c.spam === 1 && c.ham === 0));
        assert.deepEqual(await again.spam.modelTotals(0), { spam: 1, ham: 0 });
        assert.equal(await again.spam.trainedAs(a.id, "big"), "spam");
        assert.deepEqual((await again.spam.getSpamPrefs(a.id)).allow, ["@friends.example"]);
        assert.equal((await again.spam.recentVerdicts(5)).length, 1);
        assert.equal(
          await again.spam.train({ accountId: a.id, key: "big", as: "spam", hashes, scopes: [0, a.id] }),
          "unchanged",
        );
      }));

    test("concurrent trainings of one key count it once", () =>
      withStore(open, async ({ store }) => {
        const a = await account(store, "bob@example.com");
        const t: SpamTraining = { accountId: a.id, key: "k", as: "spam", hashes: [5, 6], scopes: [0] };
        const results = await Promise.all(Array.from({ length: 8 }, () => store.spam.train(t)));
        assert.deepEqual(results.sort(), ["trained", ...Array(7).fill("unchanged")]);
        assert.deepEqual(await counts(store, 0, [5, 6]), { 5: [1, 0], 6: [1, 0] });
      }));

    test("removing an account removes its model, its training records and its prefs", () =>
      withStore(open, async ({ store }) => {
        const a = await account(store, "bob@example.com");
        const b = await account(store, "carol@example.com");
        const sp = store.spam;
        await sp.train({ accountId: a.id, key: "k", as: "spam", hashes: [1, 2], scopes: [0, a.id] });
        await sp.train({ accountId: b.id, key: "k", as: "ham", hashes: [2, 3], scopes: [0, b.id] });
        await sp.setSpamPrefs(a.id, { block: ["spammer@bad.example"] });
        await store.directory.removeAccount(a.id);
        assert.deepEqual(await counts(store, a.id, [1, 2]), {});
        assert.deepEqual(await sp.modelTotals(a.id), { spam: 0, ham: 0 });
        assert.equal(await sp.trainedAs(a.id, "k"), null);
        await rejectsWith(sp.getSpamPrefs(a.id), "not-found");
        // The global model keeps what the account taught it; the other account is untouched.
        assert.deepEqual(await counts(store, 0, [1, 2, 3]), { 1: [1, 0], 2: [1, 1], 3: [0, 1] });
        assert.deepEqual(await counts(store, b.id, [2, 3]), { 2: [0, 1], 3: [0, 1] });
        assert.equal(await sp.trainedAs(b.id, "k"), "ham");
        assert.deepEqual(await sp.modelStats(), { models: 2, tokens: 5 });
      }));

    test("prefs: defaults, patches keep other fields, entries normalised and validated", () =>
      withStore(open, async ({ store }) => {
        const a = await account(store, "bob@example.com");
        const sp = store.spam;
        const empty = { allow: [], block: [], junkScore: null, fileIntoJunk: null };
        assert.deepEqual(await sp.getSpamPrefs(a.id), empty);
        const set = await sp.setSpamPrefs(a.id, {
          allow: [" Alice@Example.ORG ", "@Friends.example", "alice@example.org", "@bücher.example"],
          fileIntoJunk: false,
        });
        const want = {
          allow: ["alice@example.org", "@friends.example", "@bücher.example"],
          block: [],
          junkScore: null,
          fileIntoJunk: false,
        };
        assert.deepEqual(set, want);
        assert.deepEqual(await sp.getSpamPrefs(a.id), want);
        assert.deepEqual(await sp.setSpamPrefs(a.id, { block: ["@spam.example"], junkScore: 6 }), {
          ...want,
          block: ["@spam.example"],
          junkScore: 6,
        });
        assert.deepEqual(await sp.setSpamPrefs(a.id, { junkScore: null, fileIntoJunk: true, allow: [] }), {
          allow: [],
          block: ["@spam.example"],
          junkScore: null,
          fileIntoJunk: true,
        });
        const before = await sp.getSpamPrefs(a.id);
        for (const bad of [
          { allow: ["no-at-sign.example"] },
          { allow: ["a@b@c.example"] },
          { allow: ["a b@c.example"] },
          { allow: ["@localhost"] },
          { allow: ["@-bad.example"] },
          { allow: ["@a..example"] },
          { allow: [`${"x".repeat(65)}@a.example`] },
          { allow: [`@${"x".repeat(64)}.example`] },
          { block: [42 as unknown as string] },
          { block: "@a.example" as unknown as string[] },
          { block: Array.from({ length: 1001 }, (_, i) => `@d${i}.example`) },
          { junkScore: Number.NaN },
          { junkScore: "5" as unknown as number },
          { fileIntoJunk: "yes" as unknown as boolean },
          { other: 1 } as never,
        ]) {
          await rejectsWith(sp.setSpamPrefs(a.id, bad), "invalid");
        }
        assert.deepEqual(await sp.getSpamPrefs(a.id), before, "a refused patch changes nothing");
        const full = Array.from({ length: 1000 }, (_, i) => `@d${i}.example`);
        assert.equal((await sp.setSpamPrefs(a.id, { block: full })).block.length, 1000);
        await rejectsWith(sp.setSpamPrefs(9999, { junkScore: 1 }), "not-found");
        await rejectsWith(sp.getSpamPrefs(9999), "not-found");
      }));

    test("verdicts: newest first, only the newest `keep` kept, fields bounded", () =>
      withStore(open, async ({ store }) => {
        const sp = store.spam;
        assert.deepEqual(await sp.recentVerdicts(10), []);
        for (let i = 1; i <= 7; i++) await sp.recordVerdict(verdict(i), 5);
        const got = await sp.recentVerdicts(10);
        assert.deepEqual(
          got.map((v) => v.messageId),
          ["id-7", "id-6", "id-5", "id-4", "id-3"],
        );
        assert.deepEqual(got[0], verdict(7));
        assert.deepEqual(
          (await sp.recentVerdicts(2)).map((v) => v.messageId),
          ["id-7", "id-6"],
        );
        await sp.recordVerdict(verdict(8, { action: "hold", door: "jmap", mailFrom: "" }), 2);
        assert.deepEqual(
          (await sp.recentVerdicts(10)).map((v) => [v.messageId, v.action, v.door, v.mailFrom]),
          [
            ["id-8", "hold", "jmap", ""],
            ["id-7", "deliver", "inbound", "sender7@example.org"],
          ],
        );
        await sp.recordVerdict(verdict(9, { reasons: "R=1 ".repeat(600) }), 2);
        assert.equal((await sp.recentVerdicts(1))[0]?.reasons.length, 1000);
        for (const bad of [
          verdict(10, { at: new Date(Number.NaN) }),
          verdict(10, { door: "pop3" as "jmap" }),
          verdict(10, { action: "bounce" as "reject" }),
          verdict(10, { score: Number.NaN }),
          verdict(10, { recipients: -1 }),
        ]) {
          await rejectsWith(sp.recordVerdict(bad, 5), "invalid");
        }
        await rejectsWith(sp.recordVerdict(verdict(10), -1), "invalid");
        await rejectsWith(sp.recentVerdicts(-1), "invalid");
        assert.equal((await sp.recentVerdicts(10)).length, 2);
        await sp.recordVerdict(verdict(11), 0);
        assert.deepEqual(await sp.recentVerdicts(10), [], "keep 0 keeps none");
        await sp.recordVerdict(verdict(12), 3);
        assert.deepEqual(
          (await sp.recentVerdicts(10)).map((v) => v.messageId),
          ["id-12"],
        );
      }));
  });
}
