// SecondFactorStore on PostgreSQL (tables: schema-accounts.ts). The behaviour and the checks are
// the SQLite store's (src/store/sqlite/second-factor.ts). The "use once" writes (a TOTP step, a
// recovery code) are single conditional UPDATEs: of two nodes racing with one code, the second
// waits on the first's row lock, re-reads the row under READ COMMITTED, finds the condition
// false and changes nothing. Adding a passkey counts the account's under a per-account advisory
// lock; a credential id registered twice at once is a unique violation, answered "exists".
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
import { LOCK, lockFor, mustAccount, uniqueAsExists } from "./account-kit.js";
import type { PgCtx } from "./context.js";

interface TotpRow {
  sealed_secret: string;
  confirmed: boolean;
  last_step: number | null;
  created_at: number;
}

const CRED_COLUMNS = "id, account_id, public_key, counter, transports, name, created_at, last_used_at";

const id = (n: number) => checkId(n, "account");

export function createSecondFactors(ctx: PgCtx): SecondFactorStore {
  const db = ctx.db;
  /** One statement in a transaction of its own; how many rows it changed. */
  const change = (sql: string, params: unknown[]) =>
    ctx.write(async (t) => ({ value: await t.run(sql, params) }));

  return {
    async totp(accountId): Promise<TotpRecord | null> {
      id(accountId);
      ctx.assertOpen();
      const r = await db.one<TotpRow>(
        "SELECT sealed_secret, confirmed, last_step, created_at FROM totp WHERE account_id = $1",
        [accountId],
      );
      if (!r) return null;
      return {
        sealedSecret: r.sealed_secret,
        confirmed: r.confirmed,
        lastStep: r.last_step,
        createdAt: new Date(r.created_at),
      };
    },

    async beginTotp(accountId, p) {
      id(accountId);
      const at = millis(p.at, "at");
      if (typeof p.sealedSecret !== "string" || p.sealedSecret.length === 0 || p.sealedSecret.length > 1024)
        throw new StoreError("invalid", "bad sealed TOTP secret");
      await ctx.write(async (t) => {
        await mustAccount(t, accountId);
        await t.run(
          `INSERT INTO totp (account_id, sealed_secret, confirmed, last_step, created_at) VALUES ($1, $2, false, NULL, $3)
           ON CONFLICT (account_id) DO UPDATE SET sealed_secret = excluded.sealed_secret, confirmed = false,
             last_step = NULL, created_at = excluded.created_at`,
          [accountId, p.sealedSecret, at],
        );
        return { value: undefined };
      });
    },

    async confirmTotp(accountId, n) {
      id(accountId);
      step(n);
      return (
        (await change("UPDATE totp SET confirmed = true, last_step = $1 WHERE account_id = $2", [
          n,
          accountId,
        ])) > 0
      );
    },

    async useTotpStep(accountId, n) {
      id(accountId);
      step(n);
      // RFC 6238 §5.2: each step once, and none earlier than one already used.
      const used = await change(
        `UPDATE totp SET last_step = $1 WHERE account_id = $2 AND confirmed
           AND (last_step IS NULL OR last_step < $1)`,
        [n, accountId],
      );
      return used > 0;
    },

    async removeTotp(accountId) {
      id(accountId);
      await change("DELETE FROM totp WHERE account_id = $1", [accountId]);
    },

    async setRecoveryCodes(accountId, hashes, at) {
      id(accountId);
      const t0 = millis(at, "at");
      checkRecoveryHashes(hashes);
      await ctx.write(async (t) => {
        await mustAccount(t, accountId);
        await t.run("DELETE FROM recovery_codes WHERE account_id = $1", [accountId]);
        await t.run(
          `INSERT INTO recovery_codes (account_id, hash, created_at)
             SELECT $1, h, $3 FROM unnest($2::text[]) AS h ON CONFLICT DO NOTHING`,
          [accountId, hashes, t0],
        );
        return { value: undefined };
      });
    },

    async recoveryCodeCount(accountId) {
      id(accountId);
      ctx.assertOpen();
      const r = await db.one<{ total: number; unused: number }>(
        "SELECT count(*) AS total, count(*) FILTER (WHERE used_at IS NULL) AS unused FROM recovery_codes WHERE account_id = $1",
        [accountId],
      );
      return { unused: r?.unused ?? 0, total: r?.total ?? 0 };
    },

    async useRecoveryCode(accountId, hash, at) {
      id(accountId);
      const t0 = millis(at, "at");
      if (typeof hash !== "string") return false;
      const used = await change(
        "UPDATE recovery_codes SET used_at = $1 WHERE account_id = $2 AND hash = $3 AND used_at IS NULL",
        [t0, accountId, hash],
      );
      return used > 0;
    },

    async addCredential(c) {
      const { credId, name, transports, created } = checkNewCredential(c);
      const exists = "this credential is registered already";
      return uniqueAsExists(
        ctx.write(async (t) => {
          await mustAccount(t, c.accountId);
          await lockFor(t, LOCK.credentials, c.accountId);
          if (await t.one("SELECT 1 FROM webauthn_credentials WHERE id = $1", [credId]))
            throw new StoreError("exists", exists);
          const n = (await t.one<{ n: number }>(
            "SELECT count(*) AS n FROM webauthn_credentials WHERE account_id = $1",
            [c.accountId],
          ))!.n;
          if (n >= c.maxPerAccount)
            throw new StoreError("quota", `an account may have at most ${c.maxPerAccount} passkeys`);
          const row = await t.one<CredRow>(
            `INSERT INTO webauthn_credentials (id, account_id, public_key, counter, transports, name, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${CRED_COLUMNS}`,
            [credId, c.accountId, Buffer.from(c.publicKey), c.counter, transports, name, created],
          );
          if (!row) throw new StoreError("not-found", "credential vanished");
          return { value: toCredential(row) };
        }),
        exists,
      );
    },

    async credentials(accountId) {
      id(accountId);
      ctx.assertOpen();
      const rows = await db.rows<CredRow>(
        `SELECT ${CRED_COLUMNS} FROM webauthn_credentials WHERE account_id = $1 ORDER BY created_at, ord`,
        [accountId],
      );
      return rows.map(toCredential);
    },

    async credential(credId) {
      if (typeof credId !== "string" || credId.length > CREDENTIAL_ID_MAX) return null;
      ctx.assertOpen();
      const r = await db.one<CredRow>(`SELECT ${CRED_COLUMNS} FROM webauthn_credentials WHERE id = $1`, [
        credId,
      ]);
      return r ? toCredential(r) : null;
    },

    async useCredential(credId, p) {
      const at = millis(p.at, "at");
      if (!Number.isSafeInteger(p.counter) || p.counter < 0) throw new StoreError("invalid", "bad counter");
      if (typeof credId !== "string" || credId.length > CREDENTIAL_ID_MAX) return;
      await change("UPDATE webauthn_credentials SET counter = $1, last_used_at = $2 WHERE id = $3", [
        p.counter,
        at,
        credId,
      ]);
    },

    async removeCredential(accountId, credId) {
      id(accountId);
      if (typeof credId !== "string" || credId.length > CREDENTIAL_ID_MAX) return false;
      return (
        (await change("DELETE FROM webauthn_credentials WHERE account_id = $1 AND id = $2", [
          accountId,
          credId,
        ])) > 0
      );
    },

    async clear(accountId) {
      id(accountId);
      await ctx.write(async (t) => {
        await t.run("DELETE FROM totp WHERE account_id = $1", [accountId]);
        await t.run("DELETE FROM recovery_codes WHERE account_id = $1", [accountId]);
        await t.run("DELETE FROM webauthn_credentials WHERE account_id = $1", [accountId]);
        return { value: undefined };
      });
    },
  };
}
