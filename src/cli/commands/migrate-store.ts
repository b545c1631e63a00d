// yubin migrate-store --to postgres://… [--resume] [--verify-only]
// Copies the embedded store of server.dataDir into an empty PostgreSQL database and verifies it
// (src/migrate/). Exit 0: copied and identical; 1: refused, failed or differing.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { openStore } from "../../app/stores.js";
import { loadConfigFile } from "../../config/load.js";
import type { Config } from "../../config/schema.js";
import { silentLogger } from "../../log/logger.js";
import { MigrateError, migrateStore } from "../../migrate/migrate-store.js";
import { StoreError } from "../../store/errors.js";
import { LocalNotifier } from "../../store/notifier.js";
import { DEFAULT_CHUNK_BYTES } from "../../store/postgres/index.js";
import { onlyFlags, type ParsedArgs } from "../args.js";
import { type CliEnv, print } from "../env.js";
import { CliError, UsageError } from "../errors.js";

export const migrateStoreValueFlags = ["to"];

const usage = "usage: yubin migrate-store --to postgres://USER@HOST/DB [--resume] [--verify-only]";

export async function migrateStoreCommand(env: CliEnv, args: ParsedArgs): Promise<void> {
  onlyFlags(args, ["to", "resume", "verify-only"]);
  const to = args.flags.get("to");
  if (typeof to !== "string" || !/^postgres(?:ql)?:\/\//.test(to) || args.positional.length > 0)
    throw new UsageError(usage);
  if (!existsSync(env.configPath)) throw new CliError(`no config at ${env.configPath} (--config PATH)`);
  const config = loadConfigFile(env.configPath);
  config.server.dataDir = resolve(config.server.dataDir);
  // Neither store looks for other processes' changes nor indexes: this process only copies and reads.
  const storage = { ...config.storage, externalChangePollMs: 0 };
  const source: Config = { ...config, storage: { ...storage, backend: "sqlite" } };
  const target: Config = { ...config, storage: { ...storage, backend: "postgres", postgresUrl: to } };
  const open = (c: Config) => openStore(c, new LocalNotifier(), silentLogger, { fullTextIndexer: false });
  try {
    const r = await migrateStore({
      dataDir: config.server.dataDir,
      url: to,
      resume: args.flags.has("resume"),
      verifyOnly: args.flags.has("verify-only"),
      chunkBytes: DEFAULT_CHUNK_BYTES,
      openSource: () => open(source),
      openTarget: () => open(target),
      progress: (line) => print(env, line),
    });
    const v = r.verify;
    if (v.differences.length > 0) {
      for (const d of v.differences) env.io.stderr.write(`differs: ${d}\n`);
      if (v.more > 0) env.io.stderr.write(`… and ${v.more} more differences\n`);
      throw new CliError(`verification failed: ${v.differences.length + v.more} differences`);
    }
    if (!args.flags.has("verify-only"))
      print(env, `copied ${r.tables} tables, ${r.rows} rows, ${r.bodies} bodies (${r.bodyBytes} octets)`);
    print(
      env,
      `verified: ${v.accounts} accounts, ${v.mailboxes} mailboxes, ${v.messages} messages, ${v.bodies} bodies identical`,
    );
  } catch (e) {
    if (e instanceof MigrateError || e instanceof StoreError) throw new CliError(e.message);
    throw e;
  }
}
