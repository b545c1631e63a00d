// PgNotifier on a real PostgreSQL: two nodes on one schema hear each other once (and their own
// once); another schema hears nothing; an event too large for one NOTIFY arrives in parts with
// every UID; the database restarted: publish does not throw, local listeners hear, remote
// delivery resumes.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { silentLogger } from "../../log/logger.js";
import { eventually } from "../../testing/eventually.js";
import { freshSchema, type PrivatePostgres, postgresSkip, startPostgres } from "../../testing/postgres.js";
import { StoreUnavailableError } from "../errors.js";
import type { MailEvent } from "../notifier.js";
import { heard } from "../notifier-testing.js";
import { MAX_PAYLOAD_BYTES, PgNotifier, payloads } from "./notifier.js";

const skip = postgresSkip();

const open = (url: string, nodeId: string) =>
  PgNotifier.open({ url, nodeId, connectTimeoutMs: 5000, log: silentLogger });

const added = (uids: number[]): MailEvent => ({
  kind: "added",
  accountId: 1,
  mailboxId: 5,
  uids,
  modseq: 9,
  cause: "deliver",
});

describe("PgNotifier (LISTEN/NOTIFY)", { skip }, () => {
  const closing: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const c of closing) await c.close();
  });

  test("two nodes on one schema hear each other once; another schema hears nothing", async () => {
    const s1 = await freshSchema();
    const s2 = await freshSchema();
    const a = await open(s1.url, "a");
    const b = await open(s1.url, "b");
    const other = await open(s2.url, "c");
    closing.push(a, b, other, { close: () => s1.drop() }, { close: () => s2.drop() });
    const onA = heard(a, 1);
    const onB = heard(b, 1);
    const onOther = heard(other, 1);
    a.publish(added([1]));
    assert.deepEqual(onA, [added([1])], "local listeners at once");
    await eventually("b heard a", () => onB.length === 1);
    b.publish(added([2]));
    await eventually("a heard b", () => onA.length === 2);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(onA, [added([1]), { ...added([2]), remote: true }]);
    assert.deepEqual(onB, [{ ...added([1]), remote: true }, added([2])]);
    assert.deepEqual(onOther, []);
  });

  test("an event beyond one NOTIFY's 8000 bytes arrives in parts, every UID once", async () => {
    const s = await freshSchema();
    const a = await open(s.url, "a");
    const b = await open(s.url, "b");
    closing.push(a, b, { close: () => s.drop() });
    const uids = Array.from({ length: 5000 }, (_, i) => 1_000_000 + i);
    const parts = payloads({ n: "a", o: "x", e: added(uids) });
    assert.ok(parts.length > 1);
    assert.ok(parts.every((p) => Buffer.byteLength(p) <= MAX_PAYLOAD_BYTES));
    const onB = heard(b, 1);
    a.publish(added(uids));
    await eventually(
      "every part arrived",
      () => onB.flatMap((e) => ("uids" in e ? e.uids : [])).length === 5000,
    );
    assert.deepEqual(
      onB.flatMap((e) => ("uids" in e ? e.uids : [])),
      uids,
    );
  });
});

describe("PgNotifier when the database goes away", { skip }, () => {
  let pgServer: PrivatePostgres;
  before(async () => {
    pgServer = await startPostgres();
  });
  after(async () => {
    await pgServer?.remove();
  });

  test("publish does not throw, local listeners hear, remote delivery resumes after a restart", async () => {
    const a = await open(pgServer.url, "a");
    const b = await open(pgServer.url, "b");
    try {
      const onA = heard(a, 1);
      const onB = heard(b, 1);
      pgServer.kill();
      a.publish(added([1]));
      assert.equal(onA.length, 1);
      await pgServer.restart();
      let uid = 1;
      await eventually(
        "remote delivery resumed",
        () => {
          if (uid % 10 === 0 || uid === 1) a.publish(added([++uid]));
          else uid++;
          return onB.length > 0;
        },
        30_000,
      );
      assert.ok(onB.every((e) => e.remote === true));
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe("PgNotifier at start", { skip }, () => {
  test("a database that cannot be reached is StoreUnavailableError", async () => {
    await assert.rejects(
      PgNotifier.open({
        url: "postgres://postgres@127.0.0.1:1/yubin",
        nodeId: "a",
        connectTimeoutMs: 2000,
        log: silentLogger,
      }),
      (e: Error) => e instanceof StoreUnavailableError && /database unavailable/.test(e.message),
    );
  });
});
