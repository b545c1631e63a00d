// The app-password rules apart from any protocol: the secret's form, what a login may type, the
// keyed hash kept in the data directory, scopes per protocol, and the last-use write at most once
// a minute per IP. The store is a small in-memory one (the SQLite one has its contract suite).
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { AppPassword, AppPasswordStore, NewAppPassword } from "../store/types.js";
import { APP_PASSWORD_KEY_FILE, AppPasswords, generateSecret, normalizeSecret } from "./app-passwords.js";

function memoryStore() {
  const rows: (AppPassword & { hash: string })[] = [];
  const touches: { id: number; ip: string }[] = [];
  const store: AppPasswordStore = {
    async create(p: NewAppPassword) {
      const row = {
        id: rows.length + 1,
        accountId: p.accountId,
        name: p.name,
        scopes: [...p.scopes],
        createdAt: p.createdAt,
        lastUsedAt: null,
        lastUsedIp: null,
        hash: p.hash,
      };
      rows.push(row);
      const { hash: _h, ...pub } = row;
      return pub;
    },
    list: async (accountId) => rows.filter((r) => r.accountId === accountId),
    get: async (accountId, id) => rows.find((r) => r.accountId === accountId && r.id === id) ?? null,
    candidates: async (accountId) => rows.filter((r) => r.accountId === accountId).map((r) => ({ ...r })),
    async touch(accountId, id, use) {
      const r = rows.find((x) => x.accountId === accountId && x.id === id);
      if (!r) return;
      r.lastUsedAt = use.at;
      r.lastUsedIp = use.ip;
      touches.push({ id, ip: use.ip });
    },
    async revoke(accountId, id) {
      const i = rows.findIndex((r) => r.accountId === accountId && r.id === id);
      if (i >= 0) rows.splice(i, 1);
      return i >= 0;
    },
  };
  return { store, rows, touches };
}

test("a secret is 16 letters in four groups; each is new", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const s = generateSecret();
    assert.match(s, /^[a-z]{4} [a-z]{4} [a-z]{4} [a-z]{4}$/);
    seen.add(s);
  }
  assert.equal(seen.size, 200);
});

test("a login may type the secret with spaces or dashes, in any case; anything else is not one", () => {
  assert.equal(normalizeSecret("abcd efgh ijkl mnop"), "abcdefghijklmnop");
  assert.equal(normalizeSecret("ABCD-EFGH-IJKL-MNOP"), "abcdefghijklmnop");
  assert.equal(normalizeSecret("abcdefghijklmnop"), "abcdefghijklmnop");
  assert.equal(normalizeSecret("abcd efgh ijkl mno"), null, "15 letters");
  assert.equal(normalizeSecret("abcdefghijklmnopq"), null, "17 letters");
  assert.equal(normalizeSecret("abcd\0efgh ijkl mnop"), null, "a NUL is not a space");
  assert.equal(normalizeSecret("abcd efgh ijkl mnö1"), null);
  assert.equal(normalizeSecret("correct horse battery staple"), null);
  assert.equal(normalizeSecret(`${" ".repeat(100)}abcdefghijklmnop`), null, "over 64 characters");
});

describe("AppPasswords", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "yubin-app-pw-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test("the key is made once, 0600, in the data directory; only the keyed hash reaches the store", async () => {
    const { store, rows } = memoryStore();
    const ap = new AppPasswords({ store, dataDir: join(dir, "a"), maxPerAccount: 5 });
    const { secret } = await ap.create(1, { name: "Phone", scopes: ["imap"] });
    const keyFile = join(dir, "a", APP_PASSWORD_KEY_FILE);
    assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
    const key = await readFile(keyFile, "utf8");
    assert.match(rows[0]!.hash, /^hmac-sha256:[A-Za-z0-9_-]{43}$/);
    assert.ok(!rows[0]!.hash.includes(secret.replaceAll(" ", "")));
    // A second instance (another process: the CLI) reads the same key and so checks the secret.
    const other = new AppPasswords({ store, dataDir: join(dir, "a"), maxPerAccount: 5 });
    assert.equal((await other.check({ accountId: 1, password: secret, protocol: "imap", ip: "::1" }))?.id, 1);
    assert.equal(await readFile(keyFile, "utf8"), key);
    // Another data directory has another key: the same hash does not match there.
    const elsewhere = new AppPasswords({ store, dataDir: join(dir, "b"), maxPerAccount: 5 });
    assert.equal(
      await elsewhere.check({ accountId: 1, password: secret, protocol: "imap", ip: "::1" }),
      null,
    );
  });

  test("a damaged key file is an error naming it, never a weaker key; once mended it is read", async () => {
    const { store } = memoryStore();
    const dataDir = join(dir, "e");
    await mkdir(dataDir, { recursive: true });
    const keyFile = join(dataDir, APP_PASSWORD_KEY_FILE);
    await writeFile(keyFile, "");
    const ap = new AppPasswords({ store, dataDir, maxPerAccount: 5 });
    await assert.rejects(ap.create(1, { name: "Phone", scopes: ["imap"] }), {
      message: `${keyFile}: not a 32-byte base64 key; restore it from a backup`,
    });
    await writeFile(keyFile, `${Buffer.alloc(16, 7).toString("base64")}\n`);
    await assert.rejects(ap.create(1, { name: "Phone", scopes: ["imap"] }), /not a 32-byte base64 key/);
    assert.equal(
      await readFile(keyFile, "utf8"),
      `${Buffer.alloc(16, 7).toString("base64")}\n`,
      "left as found",
    );
    await writeFile(keyFile, `${Buffer.alloc(32, 7).toString("base64")}\n`);
    const { secret } = await ap.create(1, { name: "Phone", scopes: ["imap"] });
    assert.equal((await ap.check({ accountId: 1, password: secret, protocol: "imap", ip: "::1" }))?.id, 1);
  });

  test("scopes decide the protocols; http (web login) never; another account's secret never", async () => {
    const { store } = memoryStore();
    const ap = new AppPasswords({ store, dataDir: join(dir, "c"), maxPerAccount: 5 });
    const { secret } = await ap.create(1, { name: "Phone", scopes: ["imap", "smtp", "jmap", "pop3"] });
    const { secret: sieve } = await ap.create(1, { name: "Sieve", scopes: ["managesieve"] });
    const check = (password: string, protocol: "imap" | "pop3" | "smtp" | "jmap" | "http", accountId = 1) =>
      ap.check({ accountId, password, protocol, ip: "127.0.0.1" });
    for (const p of ["imap", "pop3", "smtp", "jmap"] as const)
      assert.equal((await check(secret, p))?.id, 1, p);
    assert.equal(await check(secret, "http"), null);
    for (const p of ["imap", "pop3", "smtp", "jmap", "http"] as const)
      assert.equal(await check(sieve, p), null);
    assert.equal(await check(secret, "imap", 2), null);
    assert.equal(await check("abcd efgh ijkl mnop", "imap"), null);
  });

  test("the last use is written when the IP changes or a minute has passed, not at every login", async () => {
    const { store, touches } = memoryStore();
    let now = 1_000_000;
    const ap = new AppPasswords({ store, dataDir: join(dir, "d"), maxPerAccount: 5, now: () => now });
    const { secret } = await ap.create(1, { name: "Phone", scopes: ["imap"] });
    const login = (ip: string) => ap.check({ accountId: 1, password: secret, protocol: "imap", ip });
    const first = await login("127.0.0.2");
    assert.deepEqual([first?.lastUsedAt?.getTime(), first?.lastUsedIp], [now, "127.0.0.2"]);
    now += 30_000;
    await login("127.0.0.2");
    assert.equal(touches.length, 1, "same IP within the minute: no write");
    await login("127.0.0.3");
    assert.equal(touches.length, 2, "another IP: written");
    now += 60_000;
    await login("127.0.0.3");
    assert.equal(touches.length, 3, "a minute later: written");
  });
});
