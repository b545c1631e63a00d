// `yubin backup`, `restore` and `verify` on the PostgreSQL store, through the CLI (a child
// process on a config naming the database), beside a running server: the restored database, in a
// new PostgreSQL database, shows IMAP clients the same mailboxes (UIDVALIDITY, UIDNEXT,
// HIGHESTMODSEQ, every message's UID, flags, MODSEQ, date and bytes). Needs the test PostgreSQL
// (src/testing/postgres.ts) and pg_dump/pg_restore.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { stringify } from "smol-toml";
import { startTestServer, type TestServer } from "../testing/harness.js";
import { freshSchema, postgresSkip, startedPostgres } from "../testing/postgres.js";
import { commandSkip } from "../testing/requires.js";
import { readManifest } from "./manifest.js";
import { imapState, message } from "./test-state.js";

const skip = postgresSkip() || commandSkip("pg_dump") || commandSkip("pg_restore");
const bin = resolve(import.meta.dirname, "../../bin/yubin.js");

function yubin(config: string, ...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((done) =>
    execFile(
      process.execPath,
      [bin, "--config", config, ...args],
      { timeout: 120_000 },
      (err, stdout, stderr) =>
        done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    ),
  );
}

/** A new database of the test cluster, and its URL with `schema` on the search_path. */
async function freshDatabase(schema: string): Promise<{ url: string; drop(): Promise<void> }> {
  const p = await startedPostgres();
  const name = `restore_${process.pid}_${Date.now()}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: p.url });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(p.url);
  u.pathname = `/${name}`;
  return {
    url: `${u.toString()}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

describe("backup, restore and verify on PostgreSQL", { skip }, () => {
  let work: string;
  let db: Awaited<ReturnType<typeof freshSchema>>;
  let server: TestServer | null = null;
  let target: { url: string; drop(): Promise<void> } | null = null;
  const since = new Date("2024-03-05T06:07:08Z");

  before(async () => {
    work = await mkdtemp(join(tmpdir(), "yubin-pgbackup-"));
    db = await freshSchema();
    server = await startTestServer({ config: { storage: { backend: "postgres", postgresUrl: db.url } } });
    const alice = server.users[0]!.id;
    const store = server.store.mail;
    const inbox = (await store.getMailbox(alice, "INBOX"))!;
    const archive = (await store.getMailbox(alice, "Archive"))!;
    for (let n = 0; n < 12; n++)
      await store.append(alice, (n % 3 === 0 ? archive : inbox).id, {
        body: message(n, n % 2 === 0),
        flags: n % 4 === 0 ? ["\\Seen", "$Label1"] : [],
        internalDate: new Date(since.getTime() + n * 3_600_000),
      });
    // Later changes: a gap in the UIDs, MODSEQs that differ from message to message.
    await store.setFlags(inbox.id, [2, 3], { mode: "add", flags: ["\\Flagged", "project-x"] });
    await store.expunge(inbox.id, [1]);
    await store.setFlags(archive.id, [1], { mode: "replace", flags: ["\\Answered"] });
  });
  after(async () => {
    await server?.stop();
    await target?.drop();
    await db?.drop();
    await rm(work, { recursive: true, force: true });
  });

  test("backup beside the server; restore into a new database; IMAP sees the same; verify finds nothing", {
    timeout: 300_000,
  }, async () => {
    const s = server!;
    const config = join(work, "yubin.toml");
    await writeFile(
      config,
      stringify({
        server: { hostname: "mail.example.test", dataDir: s.dataDir },
        storage: { backend: "postgres", postgresUrl: db.url },
      }),
    );
    const dest = join(work, "backup");
    const b = await yubin(config, "backup", dest);
    assert.equal(b.code, 0, b.out);
    assert.match(
      b.out,
      new RegExp(
        `backup ${dest} \\(postgres, schema ${db.schema}\\): 2 accounts, 12 mailboxes, 11 messages, 11 bodies`,
      ),
    );
    const m = await readManifest(dest);
    assert.equal(m.backend, "postgres");
    assert.equal(m.postgres?.schema, db.schema);
    assert.equal(m.counts.messages, 11);
    assert.ok(m.files.length > 0, "the data directory's keys and certificate");

    // A second run into the same directory replaces the first (one run left).
    const again = await yubin(config, "backup", dest);
    assert.equal(again.code, 0, again.out);
    const m2 = await readManifest(dest);
    assert.notEqual(m2.run, m.run);
    await assert.rejects(readFile(join(dest, m.database.file)), "the previous run is removed");

    const ok = await yubin(config, "verify");
    assert.equal(ok.code, 0, ok.out);
    assert.match(
      ok.out,
      /checked 2 accounts, 12 mailboxes, 11 messages, 11 bodies \(\d+ bytes\)\nno problems found/,
    );
    assert.equal(
      (await yubin(config, "backup", dest, "--since", join(work, "x"))).code,
      2,
      "--since is the SQLite store's",
    );

    const before = await imapState(s);
    assert.ok(
      before.INBOX!.messages.every((x) => /^\d+$/.test(x.modseq)),
      "CONDSTORE MODSEQs compared",
    );
    await s.stop();
    server = null;

    // Restore: a new database (the backup's schema name on its search_path), a new data directory.
    target = await freshDatabase(db.schema);
    const restoredDir = join(work, "restored");
    const restoreConfig = join(work, "restore.toml");
    await writeFile(
      restoreConfig,
      stringify({
        server: { hostname: "mail.example.test", dataDir: restoredDir },
        storage: { backend: "postgres", postgresUrl: target.url },
      }),
    );
    const r = await yubin(restoreConfig, "restore", dest);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /2 accounts, 12 mailboxes, 11 messages; every body checked/);
    server = await startTestServer({
      dataDir: restoredDir,
      domains: [],
      users: [],
      config: { storage: { backend: "postgres", postgresUrl: target.url } },
    });
    assert.deepEqual(await imapState(server), before);
    const v = await yubin(restoreConfig, "verify");
    assert.equal(v.code, 0, v.out);
    assert.match(v.out, /checked 2 accounts, 12 mailboxes, 11 messages, 11 bodies/);

    // Never over a store: the schema holds tables now.
    const other = join(work, "restore-again.toml");
    await writeFile(
      other,
      stringify({
        server: { hostname: "mail.example.test", dataDir: join(work, "restored-again") },
        storage: { backend: "postgres", postgresUrl: target.url },
      }),
    );
    const twice = await yubin(other, "restore", dest);
    assert.notEqual(twice.code, 0);
    assert.match(twice.out, /is not empty: restore only into a new database or an empty schema/);
  });
});
