// What every CLI command needs: the config (created with comments at first use) and the store.
import { existsSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { openStore } from "../app/stores.js";
import { loadConfigFile } from "../config/load.js";
import { sampleConfig } from "../config/sample.js";
import type { Config } from "../config/schema.js";
import { silentLogger } from "../log/logger.js";
import { LocalNotifier } from "../store/notifier.js";
import { makePrivateDir } from "../store/sqlite/file-modes.js";
import type { Store } from "../store/types.js";
import type { Io } from "./password-input.js";

export const defaultConfigPath = "data/yubin.toml";

export interface CliEnv {
  configPath: string;
  io: Io;
}

/** Load the config; on first use write a commented one (dataDir beside it). */
export function loadOrCreateConfig(env: CliEnv): { config: Config; created: boolean } {
  const path = resolve(env.configPath);
  let created = false;
  if (!existsSync(path)) {
    // The default config lives in ./data; a config elsewhere keeps its data beside it. Either way
    // this directory becomes the data directory: private (0700) from its creation, or the first
    // start would warn about the directory it just made.
    makePrivateDir(dirname(path));
    const dataDir = env.configPath === defaultConfigPath ? "./data" : dirname(path);
    writeFileSync(path, sampleConfig({ hostname: "localhost", dataDir }), { mode: 0o640, flag: "wx" });
    created = true;
  }
  const config = loadConfigFile(path);
  // Relative dataDir is relative to the working directory, like every other path on the command line.
  config.server.dataDir = resolve(config.server.dataDir);
  return { config, created };
}

export async function withStore<T>(config: Config, fn: (store: Store) => Promise<T>): Promise<T> {
  // Nothing in a CLI process listens for other processes' mail changes: no need to look for them.
  // What it files (yubin import) is indexed for search by the server, not on the CLI's time.
  const cliConfig = { ...config, storage: { ...config.storage, externalChangePollMs: 0 } };
  const store = await openStore(cliConfig, new LocalNotifier(), silentLogger, { fullTextIndexer: false });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export function print(env: CliEnv, line: string): void {
  env.io.stdout.write(line + "\n");
}
