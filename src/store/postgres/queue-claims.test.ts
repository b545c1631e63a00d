// Two delivery engines on one queue (issue 17): two PostgreSQL stores, each with its own pool, on
// one schema, as two nodes on one database. Claims (queue.ts: FOR UPDATE SKIP LOCKED, leased in
// the same statement) must hand every due entry to exactly one of them, however their claims
// interleave, and an entry whose lease ran out must go to exactly one claimer again. Without the
// row locks both nodes' UPDATEs would lease the entries both had selected.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { postgresSkip } from "../../testing/postgres.js";
import type { QueuedMessage, Store } from "../types.js";
import { SchemaNodes } from "./test-nodes.js";

const skip = postgresSkip();
const ENTRIES = 500;
/** Claims in flight per node at once (each on a connection of its own). */
const CLAIMERS_PER_NODE = 4;
const BATCH = 7;

const body = (n: number) =>
  Buffer.from(
    `From: a@example.org\r\nSubject: q${n % 10}\r\nMessage-ID: <q${n}@example.org>\r\n\r\nbody\r\n`,
  );

/** Claims until a claim comes back empty (bounded: never more rounds than entries). */
async function drain(node: Store, now: Date, leaseUntil: Date): Promise<QueuedMessage[]> {
  const got: QueuedMessage[] = [];
  for (let round = 0; round < ENTRIES; round++) {
    const batch = await node.queue.claimQueued({ now, leaseUntil, limit: BATCH });
    if (batch.length === 0) break;
    got.push(...batch);
  }
  return got;
}

describe("PostgreSQL: two delivery engines claiming from one queue", { skip }, () => {
  const nodes = new SchemaNodes();
  let a: Store;
  let b: Store;
  before(async () => {
    await nodes.start();
    a = await nodes.open({ poolSize: 6 });
    b = await nodes.open({ poolSize: 6 });
  });
  after(() => nodes.close());

  test(`${ENTRIES} due entries, claimed concurrently from two pools: each exactly once`, async () => {
    for (let i = 0; i < ENTRIES; i += 50)
      await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          (j % 2 ? a : b).queue.enqueue({
            body: body(i + j),
            mailFrom: "a@example.org",
            recipients: [{ address: `r${i + j}@remote.test` }],
          }),
        ),
      );
    const now = new Date(Date.now() + 1000);
    const lease = new Date(now.getTime() + 600_000);
    const runs = [a, b].flatMap((node) =>
      Array.from({ length: CLAIMERS_PER_NODE }, () => drain(node, now, lease)),
    );
    const results = await Promise.all(runs);
    const ids = results.flat().map((e) => e.id);
    assert.equal(ids.length, ENTRIES, "every entry claimed once: none twice, none left");
    assert.equal(new Set(ids).size, ENTRIES);
    for (const e of results.flat()) {
      assert.equal(e.state, "sending");
      assert.equal(e.nextAttemptAt.getTime(), lease.getTime());
    }
    assert.ok(
      results.filter((r) => r.length > 0).length >= 2,
      "the claims interleaved (more than one claimer got entries)",
    );
    const stats = await a.queue.queueStats();
    assert.equal(stats.count, ENTRIES);

    // The leases run out (both engines died): every entry comes back, once, to the claimers.
    const later = new Date(lease.getTime() + 1);
    const again = (
      await Promise.all(
        [a, b].flatMap((node) =>
          Array.from({ length: CLAIMERS_PER_NODE }, () =>
            drain(node, later, new Date(later.getTime() + 600_000)),
          ),
        ),
      )
    ).flat();
    assert.equal(again.length, ENTRIES);
    assert.equal(new Set(again.map((e) => e.id)).size, ENTRIES);
  });
});
