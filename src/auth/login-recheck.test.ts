import assert from "node:assert/strict";
import { test } from "node:test";
import type { Account, AppPassword } from "../store/types.js";
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

/** The stores a recheck reads: the account, and the app passwords whose ids are in `live`. */
function stores(dir: Pick<ReturnType<typeof directory>, "getAccount">, live: number[] = []) {
  let reads = 0;
  return {
    directory: dir,
    appPasswords: {
      get reads() {
        return reads;
      },
      get: async (accountId: number, id: number) => {
        reads++;
        return live.includes(id) ? ({ id, accountId } as unknown as AppPassword) : null;
      },
    },
  };
}

test("due only once the interval has passed; 0 s: before every command", () => {
  const c = loginCheck(row(), 60, { now: 1_000_000 });
  assert.equal(recheckDue(c, 1_000_000), false);
  assert.equal(recheckDue(c, 1_059_999), false);
  assert.equal(recheckDue(c, 1_060_000), true);
  assert.equal(recheckDue(loginCheck(row(), 0, { now: 5 }), 5), true);
});

test("the same row stands and moves the next check; a new hash, a disable or a deletion do not", async () => {
  const c = loginCheck(row(), 60, { now: 0 });
  const same = directory(row());
  assert.equal(await loginStillValid(stores(same), c, 60), true);
  assert.equal(same.reads, 1);
  assert.ok(c.checkAt > Date.now() + 59_000, "next check a minute away");

  assert.equal(
    await loginStillValid(stores(directory(row({ passwordHash: "$argon2id$new" }))), c, 60),
    false,
  );
  assert.equal(await loginStillValid(stores(directory(row({ disabled: true }))), c, 60), false);
  assert.equal(await loginStillValid(stores(directory(null)), c, 60), false);
});

test("a store error is thrown and the check stays due", async () => {
  const c = loginCheck(row(), 60, { now: 0 });
  const failing = {
    getAccount: async (): Promise<Account | null> => {
      throw new Error("database is locked");
    },
  };
  await assert.rejects(loginStillValid(stores(failing), c, 60), /locked/);
  assert.equal(recheckDue(c), true);
});

test("an app-password login is checked before every command and ends once the app password is revoked", async () => {
  const c = loginCheck(row(), 60, { now: 1_000, appPassword: { id: 3 } });
  assert.equal(c.appPasswordId, 3);
  assert.equal(recheckDue(c, 1_000), true, "due at once, whatever the interval");
  const live = stores(directory(row()), [3]);
  assert.equal(await loginStillValid(live, c, 60), true);
  assert.equal(recheckDue(c), true, "and again before the next command");
  assert.equal(live.appPasswords.reads, 1);
  assert.equal(await loginStillValid(stores(directory(row()), []), c, 60), false, "revoked");
  assert.equal(
    await loginStillValid(stores(directory(row({ passwordHash: "$argon2id$new" })), [3]), c, 60),
    false,
    "an account password reset ends app-password sessions too",
  );
  const plain = loginCheck(row(), 60, { now: 0 });
  const s = stores(directory(row()), []);
  assert.equal(await loginStillValid(s, plain, 60), true, "an account-password login reads no app password");
  assert.equal(s.appPasswords.reads, 0);
});
