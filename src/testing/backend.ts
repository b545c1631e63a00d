// The store a test that runs its own `yubin serve` (testing/process.ts) should put it on: what
// YUBIN_TEST_BACKEND names, as the harness does for in-process servers. With "postgres", a fresh
// schema of the test PostgreSQL (dropped by `drop`); else nothing to set (SQLite in the data
// directory). `storage` goes into the process's config and into the config the test opens the
// store with (app/stores.ts openStore), so both see the same rows.
import { freshSchema } from "./postgres.js";

export interface TestStorage {
  /** The [storage] keys to set ({} for SQLite). */
  storage: { backend?: "postgres"; postgresUrl?: string };
  drop(): Promise<void>;
}

export async function testStorage(): Promise<TestStorage> {
  if (process.env.YUBIN_TEST_BACKEND !== "postgres") return { storage: {}, drop: async () => {} };
  const schema = await freshSchema();
  return { storage: { backend: "postgres", postgresUrl: schema.url }, drop: () => schema.drop() };
}
