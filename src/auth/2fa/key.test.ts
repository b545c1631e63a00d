import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadSecondFactorKey, SECOND_FACTOR_KEY_FILE, SecondFactorKey } from "./key.js";
import { decodePending, encodePending, type PendingLogin } from "./pending.js";

test("sealed secrets open with their key only; a changed byte opens nothing", () => {
  const k = new SecondFactorKey(randomBytes(32));
  const sealed = k.seal("7:JBSWY3DPEHPK3PXP");
  assert.ok(!sealed.includes("JBSWY3DPEHPK3PXP"));
  assert.notEqual(k.seal("7:JBSWY3DPEHPK3PXP"), sealed, "a fresh IV each time");
  assert.equal(k.open(sealed), "7:JBSWY3DPEHPK3PXP");
  assert.equal(new SecondFactorKey(randomBytes(32)).open(sealed), null);
  const flipped = `${sealed.slice(0, -3)}${sealed.at(-3) === "A" ? "B" : "A"}${sealed.slice(-2)}`;
  assert.equal(k.open(flipped), null);
  assert.equal(k.open("v1.short"), null);
  assert.equal(k.open("plain"), null);
});

test("the key file is made once, 0600, and every loader agrees on it", async () => {
  const dir = await mkdtemp(join(tmpdir(), "yubin-2fa-key-"));
  try {
    const keys = await Promise.all(Array.from({ length: 4 }, () => loadSecondFactorKey(dir)));
    const sealed = keys[0]!.seal("x");
    for (const k of keys) assert.equal(k.open(sealed), "x");
    assert.equal((await stat(join(dir, SECOND_FACTOR_KEY_FILE))).mode & 0o777, 0o600);
    assert.equal((await loadSecondFactorKey(dir)).open(sealed), "x", "read back after a restart");
  } finally {
    await rm(dir, { recursive: true });
  }
});

test("pending logins: round trip; tampered, foreign, expired or malformed ones are null", () => {
  const k = new SecondFactorKey(randomBytes(32));
  const p: PendingLogin = {
    accountId: 3,
    stamp: "s",
    purpose: "verify",
    expiresAt: 2_000,
    next: "/settings",
  };
  const v = encodePending(k, p);
  assert.deepEqual(decodePending(k, v, 1_000), p);
  assert.equal(decodePending(k, v, 2_000), null, "expired");
  assert.equal(decodePending(new SecondFactorKey(randomBytes(32)), v, 1_000), null);
  const [payload, mac] = v.split(".");
  const forged = Buffer.from(JSON.stringify({ ...p, accountId: 4 })).toString("base64url");
  assert.equal(decodePending(k, `${forged}.${mac}`, 1_000), null);
  assert.equal(decodePending(k, `${payload}.`, 1_000), null);
  assert.equal(decodePending(k, undefined, 1_000), null);
  assert.equal(decodePending(k, "x".repeat(5000), 1_000), null);
  const bad = Buffer.from("not json").toString("base64url");
  assert.equal(decodePending(k, `${bad}.${k.sign(bad)}`, 1_000), null);
  const wrongShape = Buffer.from(JSON.stringify({ ...p, purpose: "admin" })).toString("base64url");
  assert.equal(decodePending(k, `${wrongShape}.${k.sign(wrongShape)}`, 1_000), null);
});
