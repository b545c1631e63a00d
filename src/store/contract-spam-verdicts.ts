// SpamStore.recordVerdict called many times in one turn, as the filter's VerdictLog does
// (src/spam/verdict-log.ts): every verdict kept in call order, the table trimmed to the newest
// `keep` (the PostgreSQL store writes such a batch in one statement: postgres/spam-verdicts.ts).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type OpenStore, rejectsWith, withStore } from "./contract-kit.js";
import type { SpamVerdictRecord } from "./types.js";

const verdict = (n: number): SpamVerdictRecord => ({
  at: new Date(Date.parse("2031-01-01T00:00:00Z") + n * 1000),
  messageId: `batch-${n}`,
  door: "inbound",
  mailFrom: `s${n}@example.org`,
  recipient: "bob@example.com",
  recipients: 1,
  score: n,
  action: "deliver",
  reasons: `R${n}=1`,
});

const ids = (vs: SpamVerdictRecord[]) => vs.map((v) => v.messageId);

export function runSpamVerdictBatchContract(open: OpenStore): void {
  describe("spam verdicts recorded in one turn", () => {
    test("all kept in call order up to `keep`; a bad one refused alone", () =>
      withStore(open, async ({ store }) => {
        const sp = store.spam;
        await Promise.all([1, 2, 3].map((n) => sp.recordVerdict(verdict(n), 5)));
        assert.deepEqual(ids(await sp.recentVerdicts(10)), ["batch-3", "batch-2", "batch-1"]);
        await Promise.all([4, 5, 6, 7].map((n) => sp.recordVerdict(verdict(n), 5)));
        assert.deepEqual(ids(await sp.recentVerdicts(10)), [
          "batch-7",
          "batch-6",
          "batch-5",
          "batch-4",
          "batch-3",
        ]);
        // More at once than are kept: the newest `keep` of them.
        await Promise.all([8, 9, 10, 11, 12, 13, 14].map((n) => sp.recordVerdict(verdict(n), 3)));
        assert.deepEqual(ids(await sp.recentVerdicts(10)), ["batch-14", "batch-13", "batch-12"]);
        assert.deepEqual((await sp.recentVerdicts(1))[0], verdict(14));
        const bad = { ...verdict(15), score: Number.NaN };
        const [good, refused] = await Promise.allSettled([
          sp.recordVerdict(verdict(16), 3),
          sp.recordVerdict(bad, 3),
        ]);
        assert.equal(good?.status, "fulfilled");
        assert.equal(refused?.status, "rejected");
        await rejectsWith(sp.recordVerdict(bad, 3), "invalid");
        assert.deepEqual(ids(await sp.recentVerdicts(10)), ["batch-16", "batch-14", "batch-13"]);
      }));
  });
}
