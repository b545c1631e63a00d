// The store contract's opener on PostgreSQL (issue 17): a fresh schema per case on the private
// cluster (src/testing/postgres.ts), so the contract's two runs (postgres.test.ts, default chunks;
// postgres-small-chunks.test.ts) are files of their own, each well within the runner's per-file
// limit under load.
import { silentLogger } from "../../log/logger.js";
import { freshSchema } from "../../testing/postgres.js";
import type { ContractHandle } from "../contract-kit.js";
import { LocalNotifier } from "../notifier.js";
import type { Store } from "../types.js";
import { openPostgresStore, type PostgresStoreOptions } from "./index.js";

/** A fresh schema per case; reopen() opens the same schema again. */
export function postgresOpener(extra: Partial<PostgresStoreOptions> = {}) {
  return async (): Promise<ContractHandle> => {
    const schema = await freshSchema();
    const notifier = new LocalNotifier();
    const open = () => openPostgresStore({ url: schema.url, notifier, log: silentLogger, ...extra });
    let store: Store = await open();
    return {
      get store() {
        return store;
      },
      notifier,
      async reopen() {
        await store.close();
        store = await open();
        return store;
      },
      async cleanup() {
        await store.close();
        await schema.drop();
      },
    };
  };
}
