import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLogger } from "../log/logger.js";
import type { SpamVerdictRecord } from "../store/types.js";
import { MemorySpamModel } from "./classifier/memory-model.js";
import { VerdictLog } from "./verdict-log.js";

function verdict(n: number): SpamVerdictRecord {
  return {
    at: new Date(1_800_000_000_000 + n),
    messageId: `m${n}`,
    door: "inbound",
    mailFrom: "x@sender.example",
    recipient: "bob@example.test",
    recipients: 1,
    score: n,
    action: "deliver",
    reasons: `R${n}=1`,
  };
}

function logger(lines: string[]) {
  return createLogger({ format: "json", write: (l) => lines.push(l) });
}

/** The in-memory model, counting recordVerdict calls and the turns they were made in. */
class CountingModel extends MemorySpamModel {
  calls = 0;
  fail = false;
  override async recordVerdict(v: SpamVerdictRecord, keep: number) {
    this.calls++;
    if (this.fail) throw new Error("disk full");
    return super.recordVerdict(v, keep);
  }
}

describe("VerdictLog", () => {
  it("holds verdicts in memory and writes them together, newest last, by the flush timer", async () => {
    const spam = new CountingModel();
    const log = new VerdictLog({ spam, keep: 100, log: logger([]) });
    for (let i = 1; i <= 3; i++) log.add(verdict(i));
    assert.equal(spam.calls, 0, "nothing written on the message's path");
    const until = Date.now() + 10_000;
    while (spam.calls < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await log.flush();
    assert.deepEqual(
      (await spam.recentVerdicts(10)).map((v) => v.messageId),
      ["m3", "m2", "m1"],
    );
    await log.stop();
  });

  it("writes at once when a batch is full, and what is left on stop", async () => {
    const spam = new CountingModel();
    const log = new VerdictLog({ spam, keep: 1000, log: logger([]) });
    for (let i = 0; i < 200; i++) log.add(verdict(i));
    assert.equal(spam.calls, 200, "a full batch is submitted in the same turn");
    log.add(verdict(200));
    assert.equal(spam.calls, 200);
    await log.stop();
    assert.equal(spam.calls, 201);
    assert.equal((await spam.recentVerdicts(1))[0]?.messageId, "m200");
  });

  it("keepVerdicts 0 records nothing", async () => {
    const spam = new CountingModel();
    const log = new VerdictLog({ spam, keep: 0, log: logger([]) });
    log.add(verdict(1));
    await log.stop();
    assert.equal(spam.calls, 0);
  });

  it("a failed write is logged, never thrown to the mail path", async () => {
    const spam = new CountingModel();
    spam.fail = true;
    const lines: string[] = [];
    const log = new VerdictLog({ spam, keep: 10, log: logger(lines) });
    log.add(verdict(1));
    log.add(verdict(2));
    await log.stop();
    assert.equal(spam.calls, 2);
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? "", /spam verdicts not recorded.*"count":2.*disk full/);
  });
});
