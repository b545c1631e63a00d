// The store contract on PostgreSQL (issue 17): the same suite as SQLite's (src/store/contract.ts)
// on a private cluster (src/testing/postgres.ts), each case in a schema of its own.
import { describe } from "node:test";
import { silentLogger } from "../../log/logger.js";
import { freshSchema, postgresSkip } from "../../testing/postgres.js";
import { type ContractHandle, runStoreContract } from "../contract.js";
import { LocalNotifier } from "../notifier.js";
import type { Store } from "../types.js";
import { openPostgresStore, type PostgresStoreOptions } from "./index.js";

const skip = postgresSkip();

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

if (skip) describe("store contract: postgres", { skip }, () => {});
else {
  runStoreContract("postgres", postgresOpener());
  runStoreContract("postgres, small chunks", postgresOpener({ chunkBytes: 1024 }));
}
