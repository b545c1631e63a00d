// SecondFactorStore on SQLite (tables: second-factor-schema.ts). Writes are rare (an enrolment, a
// login's code or assertion), so each is one immediate transaction of its own; the "use once"
// writes (a TOTP step, a recovery code) are single conditional UPDATEs, so two logins racing with
// one code cannot both succeed.
import { StoreError } from "../errors.js";
import { checkId, millis } from "../shared/checks.js";
import {
  CREDENTIAL_ID_MAX,
  type CredRow,
  checkNewCredential,
  checkRecoveryHashes,
  step,
  toCredential,
} from "../shared/second-factor.js";
import type { SecondFactorStore, TotpRecord } from "../types.js";
import type { Ctx } from "./context.js";

interface TotpRow {
  sealed_secret: string;
  confirmed: number;
  last_step: number | null;
  created_at: number;
}

export function createSecondFactors(ctx: Ctx): SecondFactorStore {
  const db = ctx.db;
  const s = {
    account: db.prepare<[number], { id: number }>("SELECT id FROM accounts WHERE id = ?"),
    totp: db.prepare<[number], TotpRow>(
      "SELECT sealed_secret, confirmed, last_step, created_at FROM totp WHERE account_id = ?",
    ),
    beginTotp: db.prepare<[number, string, number]>(
      `INSERT INTO totp (account_id, sealed_secret, confirmed, last_step, created_at) VALUES (?, ?, 0, NULL, ?)
       ON CONFLICT (account_id) DO UPDATE SET sealed_secret = excluded.sealed_secret, confirmed = 0,
         last_step = NULL, created_at = excluded.created_at`,
    ),
    confirmTotp: db.prepare<[number, number]>(
      "UPDATE totp SET confirmed = 1, last_step = ? WHERE account_id = ?",
    ),
    useStep: db.prepare<[number, number, number]>(
      "UPDATE totp SET last_step = ? WHERE account_id = ? AND confirmed = 1 AND (last_step IS NULL OR last_step < ?)",
    ),
    removeTotp: db.prepare<[number]>("DELETE FROM totp WHERE account_id = ?"),
    clearCodes: db.prepare<[number]>("DELETE FROM recovery_codes WHERE account_id = ?"),
    addCode: db.prepare<[number, string, number]>(
      "INSERT OR IGNORE INTO recovery_codes (account_id, hash, created_at) VALUES (?, ?, ?)",
    ),
    countCodes: db.prepare<[number], { total: number; unused: number }>(
      "SELECT count(*) AS total, coalesce(sum(used_at IS NULL), 0) AS unused FROM recovery_codes WHERE account_id = ?",
    ),
    useCode: db.prepare<[number, number, string]>(
      "UPDATE recovery_codes SET used_at = ? WHERE account_id = ? AND hash = ? AND used_at IS NULL",
    ),
    credCount: db.prepare<[number], { n: number }>(
      "SELECT count(*) AS n FROM webauthn_credentials WHERE account_id = ?",
    ),
    credById: db.prepare<[string], CredRow>("SELECT * FROM webauthn_credentials WHERE id = ?"),
    creds: db.prepare<[number], CredRow>(
      "SELECT * FROM webauthn_credentials WHERE account_id = ? ORDER BY created_at, rowid",
    ),
    addCred: db.prepare<[string, number, Buffer, number, string, string, number]>(
      `INSERT INTO webauthn_credentials (id, account_id, public_key, counter, transports, name, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    useCred: db.prepare<[number, number, string]>(
      "UPDATE webauthn_credentials SET counter = ?, last_used_at = ? WHERE id = ?",
    ),
    removeCred: db.prepare<[number, string]>(
      "DELETE FROM webauthn_credentials WHERE account_id = ? AND id = ?",
    ),
    clearCreds: db.prepare<[number]>("DELETE FROM webauthn_credentials WHERE account_id = ?"),
  };
  const mustExist = (accountId: number) => {
    if (!s.account.get(accountId)) throw new StoreError("not-found", `no account ${accountId}`);
  };

  return {
    async totp(accountId): Promise<TotpRecord | null> {
      checkId(accountId, "account");
      return ctx.read(() => {
        const r = s.totp.get(accountId);
        if (!r) return null;
        return {
          sealedSecret: r.sealed_secret,
          confirmed: r.confirmed === 1,
          lastStep: r.last_step,
          createdAt: new Date(r.created_at),
        };
      });
    },

    async beginTotp(accountId, p) {
      checkId(accountId, "account");
      const at = millis(p.at, "at");
      if (typeof p.sealedSecret !== "string" || p.sealedSecret.length === 0 || p.sealedSecret.length > 1024)
        throw new StoreError("invalid", "bad sealed TOTP secret");
      ctx.write(() => {
        mustExist(accountId);
        s.beginTotp.run(accountId, p.sealedSecret, at);
        return { value: undefined };
      });
    },

    async confirmTotp(accountId, n) {
      checkId(accountId, "account");
      step(n);
      return ctx.write(() => ({ value: s.confirmTotp.run(n, accountId).changes > 0 }));
    },

    async useTotpStep(accountId, n) {
      checkId(accountId, "account");
      step(n);
      return ctx.write(() => ({ value: s.useStep.run(n, accountId, n).changes > 0 }));
    },

    async removeTotp(accountId) {
      checkId(accountId, "account");
      ctx.write(() => {
        s.removeTotp.run(accountId);
        return { value: undefined };
      });
    },

    async setRecoveryCodes(accountId, hashes, at) {
      checkId(accountId, "account");
      const t = millis(at, "at");
      checkRecoveryHashes(hashes);
      ctx.write(() => {
        mustExist(accountId);
        s.clearCodes.run(accountId);
        for (const h of hashes) s.addCode.run(accountId, h, t);
        return { value: undefined };
      });
    },

    async recoveryCodeCount(accountId) {
      checkId(accountId, "account");
      return ctx.read(() => {
        const r = s.countCodes.get(accountId);
        return { unused: r?.unused ?? 0, total: r?.total ?? 0 };
      });
    },

    async useRecoveryCode(accountId, hash, at) {
      checkId(accountId, "account");
      const t = millis(at, "at");
      if (typeof hash !== "string") return false;
      return ctx.write(() => ({ value: s.useCode.run(t, accountId, hash).changes > 0 }));
    },

    async addCredential(c) {
      const { credId, name, transports, created } = checkNewCredential(c);
      return ctx.write(() => {
        mustExist(c.accountId);
        if (s.credById.get(credId)) throw new StoreError("exists", "this credential is registered already");
        if ((s.credCount.get(c.accountId)?.n ?? 0) >= c.maxPerAccount)
          throw new StoreError("quota", `an account may have at most ${c.maxPerAccount} passkeys`);
        s.addCred.run(credId, c.accountId, Buffer.from(c.publicKey), c.counter, transports, name, created);
        const row = s.credById.get(credId);
        if (!row) throw new StoreError("not-found", "credential vanished");
        return { value: toCredential(row) };
      });
    },

    async credentials(accountId) {
      checkId(accountId, "account");
      return ctx.read(() => s.creds.all(accountId).map(toCredential));
    },

    async credential(credId) {
      if (typeof credId !== "string" || credId.length > CREDENTIAL_ID_MAX) return null;
      return ctx.read(() => {
        const r = s.credById.get(credId);
        return r ? toCredential(r) : null;
      });
    },

    async useCredential(credId, p) {
      const at = millis(p.at, "at");
      if (!Number.isSafeInteger(p.counter) || p.counter < 0) throw new StoreError("invalid", "bad counter");
      ctx.write(() => {
        s.useCred.run(p.counter, at, credId);
        return { value: undefined };
      });
    },

    async removeCredential(accountId, credId) {
      checkId(accountId, "account");
      return ctx.write(() => ({ value: s.removeCred.run(accountId, credId).changes > 0 }));
    },

    async clear(accountId) {
      checkId(accountId, "account");
      ctx.write(() => {
        s.removeTotp.run(accountId);
        s.clearCodes.run(accountId);
        s.clearCreds.run(accountId);
        return { value: undefined };
      });
    },
  };
}
