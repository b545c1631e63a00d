// The SecondFactorStore part of the store contract (issue 15: two-factor web login), run by
// runStoreContract (contract.ts) against every backend. The store keeps what the auth layer gives
// it (a sealed TOTP secret, recovery-code hashes, public keys) and makes "use once" atomic.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { account, type ContractHandle, rejectsWith, withStore } from "./contract-kit.js";
import type { NewWebAuthnCredential } from "./types.js";

const t0 = new Date("2030-01-01T00:00:00Z");
const cred = (accountId: number, over: Partial<NewWebAuthnCredential> = {}): NewWebAuthnCredential => ({
  id: "Y3JlZC0x",
  accountId,
  publicKey: new Uint8Array([1, 2, 3, 4]),
  counter: 0,
  transports: ["internal", "hybrid"],
  name: "Laptop",
  createdAt: t0,
  maxPerAccount: 3,
  ...over,
});

export function runSecondFactorContract(open: () => Promise<ContractHandle>): void {
  describe("second factors", () => {
    test("TOTP: begun unconfirmed, confirmed with its first step, each later step used once, kept across a reopen", () =>
      withStore(open, async (h) => {
        const bob = await account(h.store, "bob@example.com");
        const sf = h.store.secondFactors;
        assert.equal(await sf.totp(bob.id), null);
        assert.equal(await sf.useTotpStep(bob.id, 5), false, "no TOTP, nothing to use");
        await sf.beginTotp(bob.id, { sealedSecret: "sealed-1", at: t0 });
        assert.deepEqual(await sf.totp(bob.id), {
          sealedSecret: "sealed-1",
          confirmed: false,
          lastStep: null,
          createdAt: t0,
        });
        assert.equal(await sf.useTotpStep(bob.id, 5), false, "an unconfirmed secret logs nobody in");
        assert.equal(await sf.confirmTotp(bob.id, 100), true);
        assert.equal(await sf.useTotpStep(bob.id, 100), false, "the confirming code is spent");
        assert.equal(await sf.useTotpStep(bob.id, 99), false, "an earlier step is refused");
        assert.equal(await sf.useTotpStep(bob.id, 101), true);
        assert.equal(await sf.useTotpStep(bob.id, 101), false, "a replay is refused");
        const store = await h.reopen();
        assert.deepEqual(await store.secondFactors.totp(bob.id), {
          sealedSecret: "sealed-1",
          confirmed: true,
          lastStep: 101,
          createdAt: t0,
        });
        // A new enrolment replaces the old secret and is unconfirmed again.
        await store.secondFactors.beginTotp(bob.id, { sealedSecret: "sealed-2", at: t0 });
        assert.equal((await store.secondFactors.totp(bob.id))?.confirmed, false);
        await store.secondFactors.removeTotp(bob.id);
        assert.equal(await store.secondFactors.totp(bob.id), null);
        await rejectsWith(store.secondFactors.beginTotp(999_999, { sealedSecret: "x", at: t0 }), "not-found");
      }));

    test("TOTP steps race: of many concurrent uses of one step exactly one wins", () =>
      withStore(open, async (h) => {
        const bob = await account(h.store, "bob@example.com");
        const sf = h.store.secondFactors;
        await sf.beginTotp(bob.id, { sealedSecret: "s", at: t0 });
        await sf.confirmTotp(bob.id, 1);
        const wins = await Promise.all(Array.from({ length: 8 }, () => sf.useTotpStep(bob.id, 2)));
        assert.equal(wins.filter(Boolean).length, 1);
      }));

    test("recovery codes: counted, each used once, replaced as a set, per account", () =>
      withStore(open, async (h) => {
        const bob = await account(h.store, "bob@example.com");
        const eve = await account(h.store, "eve@example.com");
        const sf = h.store.secondFactors;
        assert.deepEqual(await sf.recoveryCodeCount(bob.id), { unused: 0, total: 0 });
        await sf.setRecoveryCodes(bob.id, ["h1", "h2", "h3"], t0);
        assert.deepEqual(await sf.recoveryCodeCount(bob.id), { unused: 3, total: 3 });
        assert.equal(await sf.useRecoveryCode(eve.id, "h1", t0), false, "another account's code");
        assert.equal(await sf.useRecoveryCode(bob.id, "h2", t0), true);
        assert.equal(await sf.useRecoveryCode(bob.id, "h2", t0), false, "used once only");
        assert.equal(await sf.useRecoveryCode(bob.id, "nope", t0), false);
        assert.deepEqual(await sf.recoveryCodeCount(bob.id), { unused: 2, total: 3 });
        await sf.setRecoveryCodes(bob.id, ["h4", "h5"], t0);
        assert.deepEqual(await sf.recoveryCodeCount(bob.id), { unused: 2, total: 2 });
        assert.equal(await sf.useRecoveryCode(bob.id, "h1", t0), false, "old codes are gone");
        await rejectsWith(sf.setRecoveryCodes(999_999, ["x"], t0), "not-found");
      }));

    test("credentials: added, listed, found by id, used, removed; ids unique across accounts; bounded", () =>
      withStore(open, async (h) => {
        const bob = await account(h.store, "bob@example.com");
        const eve = await account(h.store, "eve@example.com");
        const sf = h.store.secondFactors;
        const c = await sf.addCredential(cred(bob.id, { name: "  Laptop " }));
        assert.deepEqual(c, {
          id: "Y3JlZC0x",
          accountId: bob.id,
          publicKey: new Uint8Array([1, 2, 3, 4]),
          counter: 0,
          transports: ["internal", "hybrid"],
          name: "Laptop",
          createdAt: t0,
          lastUsedAt: null,
        });
        await rejectsWith(sf.addCredential(cred(eve.id)), "exists");
        await rejectsWith(sf.addCredential(cred(bob.id, { id: "a", name: "" })), "invalid");
        await rejectsWith(sf.addCredential(cred(bob.id, { id: "a", name: "x\u0007" })), "invalid");
        await rejectsWith(sf.addCredential(cred(bob.id, { id: "a+/=" })), "invalid");
        await rejectsWith(sf.addCredential(cred(999_999, { id: "zz" })), "not-found");
        await sf.addCredential(cred(bob.id, { id: "b", transports: [] }));
        await sf.addCredential(cred(bob.id, { id: "c" }));
        await rejectsWith(sf.addCredential(cred(bob.id, { id: "d" })), "quota");
        assert.deepEqual(
          (await sf.credentials(bob.id)).map((x) => x.id),
          ["Y3JlZC0x", "b", "c"],
        );
        assert.deepEqual((await sf.credential("b"))?.transports, []);
        assert.equal(await sf.credential("nope"), null);
        const later = new Date(t0.getTime() + 60_000);
        await sf.useCredential("Y3JlZC0x", { counter: 7, at: later });
        const store = await h.reopen();
        const used = await store.secondFactors.credential("Y3JlZC0x");
        assert.equal(used?.counter, 7);
        assert.deepEqual(used?.lastUsedAt, later);
        assert.equal(await store.secondFactors.removeCredential(eve.id, "b"), false, "not eve's");
        assert.equal(await store.secondFactors.removeCredential(bob.id, "b"), true);
        assert.equal(await store.secondFactors.removeCredential(bob.id, "b"), false);
        assert.deepEqual(await store.secondFactors.credentials(eve.id), []);
      }));

    test("clear removes everything; deleting the account removes everything", () =>
      withStore(open, async (h) => {
        const bob = await account(h.store, "bob@example.com");
        const sf = h.store.secondFactors;
        const fill = async (accountId: number, credId: string) => {
          await sf.beginTotp(accountId, { sealedSecret: "s", at: t0 });
          await sf.setRecoveryCodes(accountId, ["h1"], t0);
          await sf.addCredential(cred(accountId, { id: credId }));
        };
        await fill(bob.id, "k1");
        await sf.clear(bob.id);
        assert.equal(await sf.totp(bob.id), null);
        assert.deepEqual(await sf.recoveryCodeCount(bob.id), { unused: 0, total: 0 });
        assert.deepEqual(await sf.credentials(bob.id), []);
        await fill(bob.id, "k2");
        await h.store.directory.removeAccount(bob.id);
        assert.equal(await sf.credential("k2"), null);
        // A new account that happens to get the same id starts with nothing.
        const again = await account(h.store, "bob@example.com");
        assert.equal(await sf.totp(again.id), null);
        assert.deepEqual(await sf.recoveryCodeCount(again.id), { unused: 0, total: 0 });
      }));
  });
}
