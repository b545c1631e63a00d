import assert from "node:assert/strict";
import { test } from "node:test";
import { SubmissionLog } from "./log.js";

test("SubmissionLog: keeps the newest `keep`, evictions are destroys, older states cannot be answered", () => {
  const log = new SubmissionLog(2);
  const s0 = log.parseState(1, log.state(1))!;
  const a = log.add(1, { n: 1 });
  const b = log.add(1, { n: 2 });
  const sb = log.parseState(1, log.state(1))!;
  const c = log.add(1, { n: 3 }); // evicts a
  const sc = log.parseState(1, log.state(1))!;
  assert.deepEqual(
    log.list(1).map((r) => r.id),
    [b.id, c.id],
  );
  assert.deepEqual(log.changesSince(1, sb, 10), {
    created: [c.id],
    destroyed: [a.id],
    newState: log.state(1),
    hasMore: false,
  });
  assert.deepEqual(log.changesSince(1, s0, 10)?.created, [b.id, c.id]);
  assert.equal(log.get(1, a.id), null);
  // Two more evictions push the oldest destroy event out: states before it are unanswerable.
  log.add(1, { n: 4 });
  log.add(1, { n: 5 });
  assert.equal(log.changesSince(1, s0, 10), null);
  assert.equal(log.changesSince(1, sb, 10), null);
  const page = log.changesSince(1, sc, 1)!;
  assert.deepEqual([page.created.length, page.destroyed, page.hasMore], [1, [], true]);
  const rest = log.changesSince(1, log.parseState(1, page.newState)!, 10)!;
  assert.deepEqual([rest.destroyed, rest.hasMore], [[b.id, c.id], false]);
  assert.equal(log.parseState(2, log.state(1)), null, "another account's later state is not ours");
  assert.equal(log.parseState(1, "x-1"), null);
  assert.deepEqual(log.list(2), []);
});
