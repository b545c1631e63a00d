// The data directory and the database files are the owner's alone (0700 / 0600) when Yubin
// creates them, whatever the umask; existing looser ones are left as they are and named in a
// warning at every start.
import assert from "node:assert/strict";
import { chmodSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { openStore } from "../../app/stores.js";
import { defaultConfig } from "../../config/load.js";
import type { Logger } from "../../log/logger.js";
import { LocalNotifier } from "../notifier.js";
import { DATABASE_FILE } from "./index.js";

const modeOf = (path: string) => statSync(path).mode & 0o777;

function recordingLog(): { log: Logger; warnings: Record<string, unknown>[] } {
  const warnings: Record<string, unknown>[] = [];
  const log: Logger = {
    debug() {},
    info() {},
    warn: (msg, fields) => void warnings.push({ msg, ...fields }),
    error() {},
    child: () => log,
  };
  return { log, warnings };
}

describe("data directory file modes", () => {
  let root: string;
  let oldUmask: number;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "yubin-modes-"));
    // The usual permissive umask: the modes must not depend on it.
    oldUmask = process.umask(0o022);
  });
  after(async () => {
    process.umask(oldUmask);
    await rm(root, { recursive: true, force: true });
  });

  let opened = 0;
  const open = async (dataDir: string) => {
    const config = defaultConfig();
    config.server.dataDir = dataDir;
    const { log, warnings } = recordingLog();
    const store = await openStore(config, new LocalNotifier(), log);
    await store.directory.addDomain(`d${++opened}.test`); // a write: the WAL is in use
    return { store, warnings };
  };

  test("a fresh data directory is 0700 and its database files 0600, without warnings", async () => {
    const dataDir = join(root, "fresh", "data");
    const { store, warnings } = await open(dataDir);
    try {
      assert.equal(modeOf(dataDir).toString(8), "700");
      const db = join(dataDir, DATABASE_FILE);
      for (const f of [db, `${db}-wal`, `${db}-shm`]) assert.equal(modeOf(f).toString(8), "600", f);
      assert.deepEqual(warnings, []);
    } finally {
      await store.close();
    }
  });

  test("a loosened one is left as it is and named in a warning", async () => {
    const dataDir = join(root, "loose");
    const first = await open(dataDir);
    await first.store.close();
    const db = join(dataDir, DATABASE_FILE);
    chmodSync(dataDir, 0o755);
    chmodSync(db, 0o644);
    const { store, warnings } = await open(dataDir);
    try {
      assert.deepEqual(
        warnings.map((w) => [w.path, w.mode]),
        // SQLite recreated -wal and -shm with the database file's mode.
        [
          [dataDir, "0755"],
          [db, "0644"],
          [`${db}-wal`, "0644"],
          [`${db}-shm`, "0644"],
        ],
      );
      assert.equal(modeOf(dataDir), 0o755, "not chmod'ed behind the administrator's back");
    } finally {
      await store.close();
    }
  });
});
