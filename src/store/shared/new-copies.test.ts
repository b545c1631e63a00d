// The argument checks both stores run before deliver and append touch the database.
import assert from "node:assert/strict";
import { test } from "node:test";
import { StoreError } from "../errors.js";
import { checkAppend, checkDeliver } from "./new-copies.js";

const body = Buffer.from("Subject: x\r\n\r\nhi\r\n");
const invalid = (message: RegExp) => (e: unknown) =>
  e instanceof StoreError && e.code === "invalid" && message.test(e.message);

test("checkDeliver: a Buffer, at least one target, valid flags and date; no mailbox means INBOX", () => {
  const date = new Date("2026-12-07T07:00:00Z");
  const c = checkDeliver(
    body,
    [{ accountId: 1 }, { accountId: 2, mailboxId: 5, flags: ["\\Seen", "$Junk"] }],
    {
      internalDate: date,
    },
  );
  assert.equal(c.body, body);
  assert.equal(c.internalDate, date.getTime());
  assert.deepEqual(c.targets, [
    { accountId: 1, mailboxId: undefined, flags: { bits: 0, keywords: [] } },
    { accountId: 2, mailboxId: 5, flags: { bits: 1, keywords: ["$Junk"] } },
  ]);
  const before = Date.now();
  const now = checkDeliver(body, [{ accountId: 1 }]).internalDate;
  assert.ok(now >= before && now <= Date.now(), "no date: now");
  assert.throws(() => checkDeliver("text" as unknown as Buffer, [{ accountId: 1 }]), invalid(/Buffer/));
  assert.throws(() => checkDeliver(body, []), invalid(/no delivery target/));
  assert.throws(() => checkDeliver(body, [{ accountId: 1, flags: ["\\Bogus"] }]), invalid(/system flag/));
  assert.throws(
    () => checkDeliver(body, [{ accountId: 1 }], { internalDate: new Date(Number.NaN) }),
    invalid(/internal date/),
  );
});

test("checkAppend: one target with its flags; the flags are checked before the date", () => {
  const c = checkAppend(3, 7, { body, flags: ["\\Draft"] });
  assert.deepEqual(c.targets, [{ accountId: 3, mailboxId: 7, flags: { bits: 16, keywords: [] } }]);
  assert.throws(() => checkAppend(3, 7, { body: null as unknown as Buffer }), invalid(/Buffer/));
  assert.throws(
    () => checkAppend(3, 7, { body, flags: ["a b"], internalDate: new Date(Number.NaN) }),
    invalid(/keyword/),
  );
  assert.throws(
    () => checkAppend(3, 7, { body, internalDate: new Date(Number.NaN) }),
    invalid(/internal date/),
  );
});
