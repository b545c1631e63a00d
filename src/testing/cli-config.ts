// The config file a test writes for a `yubin` CLI it spawns beside its test server: the server's
// data directory and the server's store. Under YUBIN_TEST_BACKEND=postgres the harness puts the
// server on a PostgreSQL schema of its own; a CLI given only the data directory would open (or
// create) a SQLite store there and never see the server's rows.
import { parse, stringify } from "smol-toml";
import { sampleConfig } from "../config/sample.js";
import type { Config } from "../config/schema.js";

/** `base` (default: the sample config on the server's data directory) with the server's store. */
export function cliConfigFor(
  srv: { dataDir: string; config: Pick<Config, "storage"> },
  base = sampleConfig({ hostname: "localhost", dataDir: srv.dataDir }),
): string {
  const { backend, postgresUrl } = srv.config.storage;
  if (backend === "sqlite") return base;
  const doc = parse(base) as Record<string, unknown>;
  doc.storage = { ...((doc.storage as object | undefined) ?? {}), backend, postgresUrl };
  return stringify(doc);
}
