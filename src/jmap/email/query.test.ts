// Email/query (RFC 8621 4.4, paging RFC 8620 5.5) through both ways of answering it (the
// indexed message list and the general scan) with exact responses; Email/queryChanges and
// Mailbox/queryChanges (RFC 8620 5.6) after real changes.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type JmapTest, startJmapTest } from "../test-support.js";

let t: JmapTest;
let F: string; // the "List" mailbox
let boxId: number;
const M: string[] = []; // emails by age: M[0] oldest
const uids: number[] = [];

const msg = (n: number, extra = "") =>
  Buffer.from(
    `From: s${n}@example.org\r\nSubject: m${n}\r\nMessage-ID: <q${n}@example.org>\r\n${extra}\r\nbody ${n}\r\n`,
  );

before(async () => {
  t = await startJmapTest();
  const store = t.ts.store.mail;
  const box = await store.createMailbox(t.user.id, "List");
  boxId = box.id;
  F = `F${box.id}`;
  // Five messages, a minute apart; m3 replies to m1 (one thread); m4 and m5 share a date.
  const dates = [1, 2, 3, 4, 4].map((m) => new Date(Date.UTC(2024, 0, 1, 0, m)));
  for (let i = 0; i < 5; i++) {
    const extra = i === 2 ? "In-Reply-To: <q0@example.org>\r\n" : "";
    const c = await store.append(t.user.id, box.id, { body: msg(i, extra), internalDate: dates[i]! });
    M.push(`M${c.messageId}`);
    uids.push(c.uid);
  }
});

after(() => t.close());

const query = async (args: Record<string, unknown>) => {
  const [r] = await t.api([["Email/query", { accountId: t.accountId, ...args }, "0"]]);
  return r!;
};
const byDate = [{ property: "receivedAt", isAscending: false }];
// The same query through the general path: minSize 0 matches everything but is not indexed.
const generalFilter = () => ({ operator: "AND", conditions: [{ inMailbox: F }, { minSize: 0 }] });

describe("Email/query", () => {
  test("message list: exact response; the general path gives the same ids", async () => {
    const [, r] = await query({
      filter: { inMailbox: F },
      sort: byDate,
      position: 1,
      limit: 2,
      calculateTotal: true,
    });
    const [, state] = (await t.api([["Email/get", { accountId: t.accountId, ids: [] }, "s"]]))[0]!;
    assert.deepEqual(r, {
      accountId: t.accountId,
      queryState: state.state,
      canCalculateChanges: true,
      position: 1,
      ids: [M[3], M[2]], // newest first; the date tie of m4/m5 broken by id, newest id first
      collapseThreads: false,
      total: 5,
    });
    const [, g] = await query({
      filter: generalFilter(),
      sort: byDate,
      position: 1,
      limit: 2,
      calculateTotal: true,
    });
    assert.deepEqual(g, r);
    const [, asc] = await query({ filter: { inMailbox: F }, sort: [{ property: "receivedAt" }] });
    assert.deepEqual(asc.ids, M);
    const [, gasc] = await query({ filter: generalFilter(), sort: [{ property: "receivedAt" }] });
    assert.deepEqual(gasc.ids, M);
  });

  test("RFC 8620 5.5 paging: negative position, anchor with offset, past the end, limit cap", async () => {
    for (const filter of [{ inMailbox: F }, generalFilter()]) {
      const neg = (await query({ filter, sort: byDate, position: -2 }))[1];
      assert.deepEqual([neg.position, neg.ids], [3, [M[1], M[0]]]);
      const anc = (await query({ filter, sort: byDate, anchor: M[2], anchorOffset: -1, limit: 2 }))[1];
      assert.deepEqual([anc.position, anc.ids], [1, [M[3], M[2]]]);
      const far = (await query({ filter, sort: byDate, position: 10 }))[1];
      assert.deepEqual([far.position, far.ids], [5, []]);
      const capped = (await query({ filter, sort: byDate, limit: 1_000_000 }))[1];
      assert.equal(capped.limit, 5000, "maxQueryResults lowered the client's limit");
      const bad = await query({ filter, sort: byDate, anchor: "M999999" });
      assert.deepEqual(bad, ["error", { type: "anchorNotFound" }, "0"]);
    }
    const neg = await query({ filter: { inMailbox: F }, limit: -1 });
    assert.deepEqual(neg, [
      "error",
      { type: "invalidArguments", description: "limit must be an UnsignedInt" },
      "0",
    ]);
  });

  test("collapseThreads keeps the newest of a thread and cannot calculate changes", async () => {
    for (const filter of [{ inMailbox: F }, generalFilter()]) {
      const [, r] = await query({ filter, sort: byDate, collapseThreads: true, calculateTotal: true });
      // m3 (index 2) is newer than m1 (index 0) in the same thread: m1 collapses away.
      assert.deepEqual(
        [r.ids, r.total, r.canCalculateChanges, r.collapseThreads],
        [[M[4], M[3], M[2], M[1]], 4, false, true],
      );
    }
  });

  test("an unknown mailbox matches nothing; unknown sort and filter are errors", async () => {
    assert.deepEqual((await query({ filter: { inMailbox: "F999999" }, calculateTotal: true }))[1].ids, []);
    assert.deepEqual(await query({ sort: [{ property: "color" }] }), [
      "error",
      { type: "unsupportedSort", description: "cannot sort on color" },
      "0",
    ]);
    assert.equal((await query({ filter: { color: "red" } }))[1].type, "unsupportedFilter");
  });
});

describe("Email/queryChanges (RFC 8620 5.6)", () => {
  test("removed: updated and destroyed; added: created and updated still in the results, by index", async () => {
    const store = t.ts.store.mail;
    const [, q] = await query({ filter: { inMailbox: F }, sort: byDate });
    const since = q.queryState as string;
    // Changes in this order: flag m2 (uid[1]), a new newest message, expunge m1 (uid[0]).
    await store.setFlags(boxId, [uids[1]!], { mode: "add", flags: ["\\Seen"] });
    const fresh = await store.append(t.user.id, boxId, {
      body: msg(9),
      internalDate: new Date(Date.UTC(2024, 0, 2)),
    });
    await store.expunge(boxId, [uids[0]!]);
    const N = `M${fresh.messageId}`;
    const [, now] = await query({ filter: { inMailbox: F }, sort: byDate });
    const calls = (extra: Record<string, unknown>) =>
      t.api([
        [
          "Email/queryChanges",
          {
            accountId: t.accountId,
            filter: { inMailbox: F },
            sort: byDate,
            sinceQueryState: since,
            ...extra,
          },
          "0",
        ],
      ]);
    const [r] = await calls({ calculateTotal: true });
    assert.deepEqual(r, [
      "Email/queryChanges",
      {
        accountId: t.accountId,
        oldQueryState: since,
        newQueryState: now.queryState,
        removed: [M[1], M[0]],
        added: [
          { id: N, index: 0 },
          { id: M[1], index: 4 },
        ],
        total: 5,
      },
      "0",
    ]);
    // Applying the changes to the old ids gives the new ones (RFC 8620 5.6's algorithm).
    const ids = (q.ids as string[]).filter((id) => !r![1].removed.includes(id));
    for (const a of r![1].added) ids.splice(a.index, 0, a.id);
    assert.deepEqual(ids, now.ids);
    // The same through the general path.
    const [g] = await t.api([
      [
        "Email/queryChanges",
        { accountId: t.accountId, filter: generalFilter(), sort: byDate, sinceQueryState: since },
        "0",
      ],
    ]);
    assert.deepEqual([g![1].removed, g![1].added], [r![1].removed, r![1].added]);
    // No change since the new state.
    const [none] = await calls({ sinceQueryState: now.queryState });
    assert.deepEqual([none![1].removed, none![1].added], [[], []]);
    // Four changes do not fit in maxChanges 3.
    assert.deepEqual((await calls({ maxChanges: 3 }))[0], [
      "error",
      { type: "tooManyChanges", description: "more than 3 changes" },
      "0",
    ]);
    assert.equal((await calls({ collapseThreads: true }))[0]![1].type, "cannotCalculateChanges");
    assert.equal((await calls({ sinceQueryState: "x1" }))[0]![1].type, "cannotCalculateChanges");
    assert.equal((await calls({ sinceQueryState: "99999999" }))[0]![1].type, "cannotCalculateChanges");
  });

  test("Mailbox/queryChanges: a created mailbox is added at its index", async () => {
    const sort = [{ property: "name" }];
    const q = await t.first([["Mailbox/query", { accountId: t.accountId, sort }, "0"]]);
    assert.equal(q.canCalculateChanges, true);
    const made = await t.ts.store.mail.createMailbox(t.user.id, "Aardvark");
    const [r] = await t.api([
      ["Mailbox/queryChanges", { accountId: t.accountId, sort, sinceQueryState: q.queryState }, "0"],
    ]);
    const now = await t.first([["Mailbox/query", { accountId: t.accountId, sort }, "0"]]);
    assert.deepEqual(r, [
      "Mailbox/queryChanges",
      {
        accountId: t.accountId,
        oldQueryState: q.queryState,
        newQueryState: now.queryState,
        removed: [],
        added: [{ id: `F${made.id}`, index: now.ids.indexOf(`F${made.id}`) }],
      },
      "0",
    ]);
    assert.equal(now.ids[0], `F${made.id}`, "Aardvark sorts first by name");
  });
});
