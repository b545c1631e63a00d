// Nodes on one database for the multi-node tests (issue 17): stores on one fresh schema, each
// with its own pool and notifier, as two Yubin nodes sharing a PostgreSQL database.
import { silentLogger } from "../../log/logger.js";
import { freshSchema } from "../../testing/postgres.js";
import { LocalNotifier } from "../notifier.js";
import type { Store } from "../types.js";
import { openPostgresStore, type PostgresStoreOptions } from "./index.js";

export type NodeOptions = Partial<Omit<PostgresStoreOptions, "url">>;

/** Make in before() with start(), open the nodes, and close() in after(): the stores are closed
 *  before their schema is dropped. */
export class SchemaNodes {
  private drop: (() => Promise<void>) | null = null;
  private readonly stores: Store[] = [];
  /** The schema's URL (after start()). */
  url = "";

  async start(): Promise<void> {
    const schema = await freshSchema();
    this.drop = schema.drop;
    this.url = schema.url;
  }

  /** One more node: a store with a LocalNotifier and a silent log unless given. */
  async open(opts: NodeOptions = {}): Promise<Store> {
    const s = await openPostgresStore({
      notifier: new LocalNotifier(),
      log: silentLogger,
      ...opts,
      url: this.url,
    });
    this.stores.push(s);
    return s;
  }

  async close(): Promise<void> {
    for (const s of this.stores.splice(0)) await s.close();
    await this.drop?.();
    this.drop = null;
  }
}
