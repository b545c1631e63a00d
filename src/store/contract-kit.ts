// What every part of the store contract (contract*.ts) shares: the handle a backend's test gives,
// running a case on a fresh store, making an account, and asserting a StoreError's code.
import assert from "node:assert/strict";
import { StoreError } from "./errors.js";
import type { ChangeNotifier } from "./notifier.js";
import type { Account, Store } from "./types.js";

export interface ContractHandle {
  store: Store;
  notifier: ChangeNotifier;
  reopen(): Promise<Store>;
  cleanup(): Promise<void>;
}

export type OpenStore = () => Promise<ContractHandle>;

/** Runs `fn` on a freshly opened store and cleans up, whatever happens. */
export async function withStore(open: OpenStore, fn: (h: ContractHandle) => Promise<void>): Promise<void> {
  const h = await open();
  try {
    await fn(h);
  } finally {
    await h.cleanup();
  }
}

/** An account (its domain created when missing); quota fields optional. */
export async function account(
  store: Store,
  address = "bob@example.com",
  quota: Partial<Pick<Account, "quotaBytes" | "quotaMessages">> = {},
) {
  const domain = address.slice(address.lastIndexOf("@") + 1);
  if (!(await store.directory.getDomain(domain))) await store.directory.addDomain(domain);
  return store.directory.createAccount({
    address,
    passwordHash: "hash",
    quotaBytes: quota.quotaBytes,
    quotaMessages: quota.quotaMessages,
  });
}

// biome-ignore lint/suspicious/noExplicitAny: any error class (constructor parameters differ).
type ErrorClass = abstract new (...args: any[]) => StoreError;

/** `p` rejects with a StoreError (or `cls`) of this code. */
export async function rejectsWith(
  p: Promise<unknown>,
  code: string,
  cls: ErrorClass = StoreError,
): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    assert.equal((e as StoreError).code, code, (e as Error).message);
    return true;
  });
}
