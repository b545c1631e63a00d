// Two nodes deciding about one account at once (issue 17): two PostgreSQL stores, each with its
// own pool, on one schema. The read-decide-write of the account services must hold across nodes:
// sending limits count every send (recordSend locks the account's policy row), a greylisted retry
// counts towards its network once (the triplet's row lock), an auto-reply goes to a sender once
// per interval, and the per-account bounds of app passwords and passkeys hold (advisory locks).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { postgresSkip } from "../../testing/postgres.js";
import { account } from "../contract-kit.js";
import { StoreError } from "../errors.js";
import type { Store } from "../types.js";
import { SchemaNodes } from "./test-nodes.js";

const skip = postgresSkip();
const PER_NODE = 20;

/** `n` calls of `fn` on each node, all at once. */
function both<T>(nodes: Store[], n: number, fn: (s: Store, i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(nodes.flatMap((s, k) => Array.from({ length: n }, (_, i) => fn(s, k * n + i))));
}

describe("PostgreSQL: account services decided by two nodes at once", { skip }, () => {
  const nodes = new SchemaNodes();
  let a: Store;
  let b: Store;
  before(async () => {
    await nodes.start();
    a = await nodes.open({ poolSize: 8 });
    b = await nodes.open({ poolSize: 8 });
  });
  after(() => nodes.close());

  test("sending limits: of 40 concurrent sends with a limit of 25 an hour, exactly 25 pass", async () => {
    const acc = await account(a, "sender@example.com");
    const limits = { messagesPerHour: 25, messagesPerDay: 0, recipientsPerHour: 0, recipientsPerDay: 0 };
    const now = new Date();
    const out = await both([a, b], PER_NODE, (s) =>
      s.sending.recordSend(acc.id, { now, recipients: 1, limits }),
    );
    assert.equal(out.filter((d) => d.allowed).length, 25);
    // Every attempt was counted: the last decision saw all 40.
    assert.equal(Math.max(...out.map((d) => d.attemptedMessagesHour)), 2 * PER_NODE);
  });

  test("greylisting: a retry seen by both nodes at once passes everywhere and counts once", async () => {
    const policy = { delaySec: 60, retryWindowSec: 3600, passedTtlSec: 86_400, autoAllowAfter: 2 };
    const triplet = { network: "192.0.2.0/24", sender: "s@example.org", recipient: "r@example.com" };
    const t0 = Date.now();
    assert.equal((await a.greylist.check(triplet, new Date(t0), policy)).verdict, "defer");
    const retry = new Date(t0 + 61_000);
    const out = await both([a, b], PER_NODE, (s) => s.greylist.check(triplet, retry, policy));
    assert.ok(out.every((r) => r.verdict === "pass" && r.by === "triplet"));
    // One pass counted: a new triplet of the network is still greylisted (a second count would
    // have reached autoAllowAfter = 2 and let the network through).
    const other = { ...triplet, sender: "other@example.org" };
    assert.equal((await b.greylist.check(other, new Date(t0 + 62_000), policy)).verdict, "defer");
  });

  test("vacation: of concurrent auto-replies to one sender, one is sent", async () => {
    const acc = await account(a, "away@example.com");
    const now = new Date();
    const out = await both([a, b], PER_NODE, (s) =>
      s.settings.claimVacationReply(acc.id, "Friend@Example.org", now, 86_400_000),
    );
    assert.equal(out.filter(Boolean).length, 1);
  });

  test("app passwords and passkeys: the per-account bound holds under concurrent creation", async () => {
    const acc = await account(a, "devices@example.com");
    const made = await both([a, b], PER_NODE, (s, i) =>
      s.appPasswords
        .create({
          accountId: acc.id,
          name: `Device ${i}`,
          scopes: ["imap"],
          hash: `h${i}`,
          createdAt: new Date(),
          maxPerAccount: 5,
        })
        .then(
          () => "made",
          (e: unknown) => (e instanceof StoreError ? e.code : String(e)),
        ),
    );
    assert.equal(made.filter((x) => x === "made").length, 5);
    assert.equal(made.filter((x) => x === "quota").length, 2 * PER_NODE - 5);
    const keys = await both([a, b], PER_NODE, (s, i) =>
      s.secondFactors
        .addCredential({
          id: `cred-${i % 10}`,
          accountId: acc.id,
          publicKey: new Uint8Array([1, 2, 3]),
          counter: 0,
          transports: [],
          name: `Key ${i}`,
          createdAt: new Date(),
          maxPerAccount: 3,
        })
        .then(
          () => "made",
          (e: unknown) => (e instanceof StoreError ? e.code : String(e)),
        ),
    );
    assert.equal(keys.filter((x) => x === "made").length, 3);
    assert.ok(
      keys.every((x) => x === "made" || x === "quota" || x === "exists"),
      keys.join(),
    );
    assert.equal((await b.secondFactors.credentials(acc.id)).length, 3);
  });
});
