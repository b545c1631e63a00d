import assert from "node:assert/strict";
import { test } from "node:test";
import type { Account } from "../store/types.js";
import { loginCheck, loginStillValid, recheckDue } from "./login-recheck.js";

const row = (over: Partial<Account> = {}) => ({
  id: 7,
  passwordHash: "$argon2id$old",
  disabled: false,
  ...over,
});

function directory(current: ReturnType<typeof row> | null) {
  let reads = 0;
  return {
    get reads() {
      return reads;
    },
    getAccount: async (id: number) => {
      reads++;
      return current && current.id === id ? (current as unknown as Account) : null;
    },
  };
}

test("due only once the interval has passed; 0 s: before every command", () => {
  const c = loginCheck(row(), 60, 1_000_000);
  assert.equal(recheckDue(c, 1_000_000), false);
  assert.equal(recheckDue(c, 1_059_999), false);
  assert.equal(recheckDue(c, 1_060_000), true);
  assert.equal(recheckDue(loginCheck(row(), 0, 5), 5), true);
});

test("the same row stands and moves the next check; a new hash, a disable or a deletion do not", async () => {
  const c = loginCheck(row(), 60, 0);
  const same = directory(row());
  assert.equal(await loginStillValid(same, c, 60), true);
  assert.equal(same.reads, 1);
  assert.ok(c.checkAt > Date.now() + 59_000, "next check a minute away");

  assert.equal(await loginStillValid(directory(row({ passwordHash: "$argon2id$new" })), c, 60), false);
  assert.equal(await loginStillValid(directory(row({ disabled: true })), c, 60), false);
  assert.equal(await loginStillValid(directory(null), c, 60), false);
});

test("a store error is thrown and the check stays due", async () => {
  const c = loginCheck(row(), 60, 0);
  const failing = {
    getAccount: async (): Promise<Account | null> => {
      throw new Error("database is locked");
    },
  };
  await assert.rejects(loginStillValid(failing, c, 60), /locked/);
  assert.equal(recheckDue(c), true);
});
