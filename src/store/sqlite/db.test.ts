// The settings the database is opened with (db.ts): durability's, and the memory map that serves
// the pages SQLite reads again after another process's commit.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { DEFAULT_MMAP_BYTES, openDatabase } from "./db.js";

test("WAL, synchronous FULL, the busy timeout and the memory map (256 MiB, or as configured, 0 none)", () => {
  const dir = mkdtempSync(join(tmpdir(), "yubin-db-"));
  try {
    const path = join(dir, "db.sqlite");
    const plain = openDatabase({ path });
    const mapped = openDatabase({ path, mmapBytes: 1 << 20, busyTimeoutMs: 250 });
    const none = openDatabase({ path, mmapBytes: 0 });
    try {
      assert.equal(plain.pragma("journal_mode", { simple: true }), "wal");
      assert.equal(plain.pragma("synchronous", { simple: true }), 2);
      assert.equal(plain.pragma("busy_timeout", { simple: true }), 5000);
      assert.equal(DEFAULT_MMAP_BYTES, 256 * 1024 * 1024);
      assert.equal(plain.pragma("mmap_size", { simple: true }), DEFAULT_MMAP_BYTES);
      assert.equal(mapped.pragma("mmap_size", { simple: true }), 1 << 20);
      assert.equal(mapped.pragma("busy_timeout", { simple: true }), 250);
      assert.equal(none.pragma("mmap_size", { simple: true }), 0);
      // Reads through the map see another connection's commits.
      plain.exec("CREATE TABLE t (v INTEGER)");
      plain.prepare("INSERT INTO t (v) VALUES (?)").run(7);
      assert.deepEqual(mapped.prepare("SELECT v FROM t").all(), [{ v: 7 }]);
    } finally {
      plain.close();
      mapped.close();
      none.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
