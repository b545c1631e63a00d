// `yubin backup`, `yubin restore` and `yubin verify` as a user runs them (real processes); the
// logic itself is tested in-process in src/backup/ and src/store/sqlite/verify.test.ts.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { loadKeyFile } from "../../server/key-file.js";
import { LocalNotifier } from "../../store/notifier.js";
import { hashBody } from "../../store/shared/body-hash.js";
import { openSqliteStore } from "../../store/sqlite/index.js";
import { runCommand, YUBIN_BIN } from "../test-cli.js";

const dir = mkdtempSync(join(tmpdir(), "yubin-backup-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const yubin = (config: string, args: string[]) =>
  runCommand(process.execPath, [YUBIN_BIN, "--config", config, ...args], { timeoutMs: 60_000 });

describe("yubin backup, restore, verify", () => {
  test("backup, restore into a new directory with the config, verify finds a damaged body", async () => {
    const data = join(dir, "data");
    const config = join(dir, "yubin.toml");
    // A global Sieve script outside the data directory: backed up with its path, put back if missing.
    const sieve = join(dir, "etc", "before.sieve");
    mkdirSync(join(dir, "etc"));
    writeFileSync(sieve, 'require "fileinto";\n');
    writeFileSync(
      config,
      `[server]\nhostname = "mail.a.test"\ndataDir = "${data}"\n[storage]\ninlineMaxBytes = 0\n[sieve]\nglobalBefore = "${sieve}"\n`,
    );
    const store = await openSqliteStore({ dataDir: data, notifier: new LocalNotifier(), inlineMaxBytes: 0 });
    await store.directory.addDomain("a.test");
    const a = await store.directory.createAccount({ address: "u@a.test", passwordHash: "h" });
    const bodies = [1, 2, 3].map((n) => Buffer.from(`Subject: ${n}\r\n\r\nbody ${n}\r\n`));
    for (const b of bodies) await store.mail.deliver(b, [{ accountId: a.id }]);
    await store.close();
    const key = await loadKeyFile(data, "srs.key");

    const backup = join(dir, "backup");
    const b = await yubin(config, ["backup", backup]);
    assert.equal(b.err, "");
    assert.equal(b.code, 0);
    assert.match(b.out, /1 accounts, \d+ mailboxes, 3 messages/);
    assert.match(
      b.out,
      /body files 3 \(\d+ bytes\): 0 already there, 0 from the previous backup, 3 linked, 0 copied/,
    );

    rmSync(sieve);
    const restoredConfig = join(dir, "new", "yubin.toml");
    const restored = join(dir, "new", "data");
    const r = await yubin(restoredConfig, ["restore", backup, "--data-dir", restored]);
    assert.equal(r.err, "");
    assert.equal(r.code, 0);
    assert.match(r.out, /every body checked/);
    assert.match(r.out, new RegExp(`config written to ${restoredConfig}`));
    assert.deepEqual(readFileSync(restoredConfig), readFileSync(config));
    assert.match(r.out, new RegExp(`restored ${sieve}`));
    assert.equal(readFileSync(sieve, "utf8"), 'require "fileinto";\n');
    assert.deepEqual(await loadKeyFile(restored, "srs.key"), key);
    const again = await openSqliteStore({ dataDir: restored, notifier: new LocalNotifier() });
    try {
      const inbox = (await again.mail.getMailbox(a.id, "INBOX"))!;
      const got = await Promise.all(
        (await again.mail.listMessages(inbox.id)).map((m) => again.mail.readBody(m.blobId)),
      );
      assert.deepEqual(got, bodies);
    } finally {
      await again.close();
    }

    const h = hashBody(bodies[1]!);
    const file = join(data, "blobs", h.slice(0, 2), h);
    assert.ok(existsSync(file));
    // Rewritten in place would change the backup's hard link too; the damage is a new file.
    rmSync(file);
    writeFileSync(file, "Subject: 2\r\n\r\nbody X\r\n");
    const v = await yubin(config, ["verify"]);
    assert.equal(v.code, 1);
    assert.match(
      v.out,
      new RegExp(`body ${h} \\(file\\) does not match its hash; used by u@a.test "INBOX" UID 2`),
    );
    assert.match(v.err, /^yubin: 1 problems found/);
  });
});
