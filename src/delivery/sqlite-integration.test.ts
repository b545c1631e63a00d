// Auth and address resolution against the real SQLite directory (not the in-memory fake):
// checks that the store's look-ups and our normalisation agree.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { hashPassword } from "../auth/password.js";
import { createAuthService } from "../auth/service.js";
import { defaultsOf } from "../config/dsl.js";
import { authSection } from "../config/schema.js";
import { silentLogger } from "../log/logger.js";
import { MemoryCounters } from "../store/counters.js";
import { LocalNotifier } from "../store/notifier.js";
import { openSqliteStore } from "../store/sqlite/index.js";
import type { Store } from "../store/types.js";
import { resolveRecipient } from "./resolve.js";
import { canSendAs } from "./send-as.js";

const P = "correct horse battery staple";

describe("auth and delivery over the SQLite store", () => {
  let dir = "";
  let store: Store;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "yubin-resolve-"));
    store = await openSqliteStore({ dataDir: dir, notifier: new LocalNotifier() });
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("resolution, send-as and login", async () => {
    const d = store.directory;
    await d.addDomain("example.org");
    await d.addDomain("xn--bcher-kva.de");
    // doveadm pw -s SHA512-CRYPT -p "correct horse battery staple"
    const imported =
      "{SHA512-CRYPT}$6$DUftWJRsq8UR7d94$vUwjLXmJglsVXJeCS.yBQPeq/PP283nD2dbWBA3NO38C4ZPxUaoui0TF1U8JE7sJJ2B.f9AadJwDV42FXEaZ31";
    const alice = await d.createAccount({ address: "alice@example.org", passwordHash: imported });
    const jose = await d.createAccount({
      address: "josé@xn--bcher-kva.de",
      passwordHash: await hashPassword(P),
    });
    await d.addAlias("team@example.org", [
      "alice@example.org",
      "friend@elsewhere.example",
      "loop@example.org",
    ]);
    await d.addAlias("loop@example.org", ["team@example.org"]);
    await d.addAlias("@xn--bcher-kva.de", ["josé@xn--bcher-kva.de"]);

    assert.deepEqual(await resolveRecipient(d, "Alice+x@Example.ORG"), {
      kind: "local",
      accountIds: [alice.id],
      remote: [],
    });
    assert.deepEqual(await resolveRecipient(d, "team@example.org"), {
      kind: "local",
      accountIds: [alice.id],
      remote: ["friend@elsewhere.example"],
    });
    assert.deepEqual(await resolveRecipient(d, "anyone@bücher.de"), {
      kind: "local",
      accountIds: [jose.id],
      remote: [],
    });
    const dave = await d.createAccount({ address: "Dave@example.org", passwordHash: imported });
    const direct = await resolveRecipient(d, "dave@EXAMPLE.org");
    assert.equal(direct.kind, "local");
    if (direct.kind === "local") {
      // An account's own address comes with what the post office reads of it (one look-up).
      const { facts, ...rest } = direct;
      assert.deepEqual(rest, { kind: "local", accountIds: [dave.id], remote: [] });
      assert.deepEqual(facts?.get(dave.id)?.quota, await store.mail.quotaUsage(dave.id));
    }
    assert.deepEqual(await resolveRecipient(d, "nobody@example.org"), {
      kind: "unknown",
      reason: "no such user",
    });
    assert.deepEqual(await resolveRecipient(d, "x@elsewhere.example"), {
      kind: "remote",
      address: "x@elsewhere.example",
    });
    assert.equal(await canSendAs(d, alice, "team@example.org"), true);
    assert.equal(await canSendAs(d, jose, "other@xn--bcher-kva.de"), false);

    const auth = createAuthService({
      directory: d,
      counters: new MemoryCounters(),
      config: defaultsOf(authSection),
      log: silentLogger,
    });
    const login = (username: string, password: string) =>
      auth.authenticate({ username, password, ip: "127.0.0.1", protocol: "imap" });
    assert.deepEqual(await login("alice@example.org", "wrong password!"), { ok: false, reason: "invalid" });
    const ok = await login("alice@example.org", P);
    assert.equal(ok.ok, true);
    assert.match((await d.getAccount(alice.id))?.passwordHash ?? "", /^\$argon2id\$/);
    assert.equal((await login("alice@example.org", P)).ok, true); // and the new hash works
  });
});
