// The v4 migration on a database made by the previous version: every existing account gets its
// primary identity, logged in the change log, and re-running the migration changes nothing.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openDatabase } from "./db.js";
import { migrate, migrations } from "./schema.js";
import { settingsMigration } from "./settings-schema.js";

test("v3 → v4: existing accounts get a primary identity, once", async () => {
  const dir = await mkdtemp(join(tmpdir(), "yubin-settings-"));
  const db = openDatabase({ path: join(dir, "db.sqlite") });
  try {
    assert.equal(migrations[3], settingsMigration, "the settings migration is v4");
    for (let v = 0; v < 3; v++) db.exec(migrations[v]!);
    db.pragma("user_version = 3");
    db.exec("INSERT INTO domains (name, created_at) VALUES ('example.test', 0)");
    db.exec(
      `INSERT INTO accounts (address, address_key, domain, password_hash, created_at)
       VALUES ('Old@example.test', 'old@example.test', 'example.test', 'h', 0)`,
    );
    migrate(db);
    assert.equal(db.pragma("user_version", { simple: true }), migrations.length);
    const rows = () => db.prepare("SELECT account_id, email, is_primary FROM identities").all();
    assert.deepEqual(rows(), [{ account_id: 1, email: "Old@example.test", is_primary: 1 }]);
    assert.deepEqual(db.prepare("SELECT type, object_id, created_seq, seq FROM object_changes").all(), [
      { type: 4, object_id: 1, created_seq: 1, seq: 1 },
    ]);
    db.exec(settingsMigration);
    assert.equal(rows().length, 1);
  } finally {
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
});
