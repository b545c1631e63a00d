// SettingsStore on PostgreSQL (tables: schema-accounts.ts): identities, the vacation response and
// the senders an auto-reply answered. The behaviour is the SQLite store's (src/store/sqlite/
// settings.ts); claimVacationReply is one INSERT … ON CONFLICT DO NOTHING, so of two nodes
// answering one sender at once exactly one wins (the other waits on the first's key, then sees
// the conflict).
import { StoreError } from "../errors.js";
import { normalizeAddress } from "../shared/directory.js";
import { addresses, addressJson, DISABLED_VACATION, dateOf } from "../shared/settings.js";
import type { Identity, SettingsStore, VacationResponse } from "../types.js";
import { mustAccount } from "./account-kit.js";
import type { PgCtx } from "./context.js";
import type { Tx } from "./db.js";

interface IdentityRow {
  id: number;
  account_id: number;
  email: string;
  name: string;
  reply_to: string | null;
  bcc: string | null;
  text_signature: string;
  html_signature: string;
  is_primary: boolean;
}

interface VacationRow {
  is_enabled: boolean;
  from_date: number | null;
  to_date: number | null;
  subject: string | null;
  text_body: string | null;
  html_body: string | null;
}

const toIdentity = (r: IdentityRow): Identity => ({
  id: r.id,
  accountId: r.account_id,
  email: r.email,
  name: r.name,
  replyTo: addresses(r.reply_to),
  bcc: addresses(r.bcc),
  textSignature: r.text_signature,
  htmlSignature: r.html_signature,
  primary: r.is_primary,
});

function millisOrNull(d: Date | null, what: string): number | null {
  if (d === null) return null;
  const t = d instanceof Date ? d.getTime() : Number.NaN;
  if (!Number.isFinite(t)) throw new StoreError("invalid", `${what} is not a valid date`);
  return t;
}

const IDENTITY_COLUMNS =
  "id, account_id, email, name, reply_to, bcc, text_signature, html_signature, is_primary";

async function mustIdentity(t: Pick<Tx, "one">, accountId: number, id: number): Promise<IdentityRow> {
  const r = await t.one<IdentityRow>(
    `SELECT ${IDENTITY_COLUMNS} FROM identities WHERE account_id = $1 AND id = $2`,
    [accountId, id],
  );
  if (!r) throw new StoreError("not-found", `no identity ${id}`);
  return r;
}

/** Ids fit in a PostgreSQL BIGINT and a JavaScript number: anything else cannot exist. */
const isId = (n: number) => Number.isSafeInteger(n) && n > 0;

export function createSettings(ctx: PgCtx): SettingsStore {
  const db = ctx.db;
  return {
    async listIdentities(accountId) {
      ctx.assertOpen();
      if (!isId(accountId)) return [];
      const rows = await db.rows<IdentityRow>(
        `SELECT ${IDENTITY_COLUMNS} FROM identities WHERE account_id = $1 ORDER BY is_primary DESC, id`,
        [accountId],
      );
      return rows.map(toIdentity);
    },

    async createIdentity(accountId, f) {
      const email = normalizeAddress(f.email, false).address;
      const replyTo = addressJson(f.replyTo, "replyTo");
      const bcc = addressJson(f.bcc, "bcc");
      if (!isId(accountId)) throw new StoreError("not-found", `no account ${accountId}`);
      return ctx.write(async (t) => {
        await mustAccount(t, accountId);
        const r = await t.one<IdentityRow>(
          `INSERT INTO identities (account_id, email, name, reply_to, bcc, text_signature, html_signature)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${IDENTITY_COLUMNS}`,
          [accountId, email, f.name, replyTo, bcc, f.textSignature, f.htmlSignature],
        );
        if (!r) throw new StoreError("not-found", "identity vanished");
        return { value: toIdentity(r) };
      });
    },

    async updateIdentity(accountId, id, patch) {
      if (!isId(accountId) || !isId(id)) throw new StoreError("not-found", `no identity ${id}`);
      return ctx.write(async (t) => {
        const cur = toIdentity(await mustIdentity(t, accountId, id));
        const next = { ...cur, ...patch };
        const r = await t.one<IdentityRow>(
          `UPDATE identities SET name = $1, reply_to = $2, bcc = $3, text_signature = $4, html_signature = $5
             WHERE id = $6 AND account_id = $7 RETURNING ${IDENTITY_COLUMNS}`,
          [
            next.name,
            addressJson(next.replyTo, "replyTo"),
            addressJson(next.bcc, "bcc"),
            next.textSignature,
            next.htmlSignature,
            id,
            accountId,
          ],
        );
        if (!r) throw new StoreError("not-found", `no identity ${id}`);
        return { value: toIdentity(r) };
      });
    },

    async removeIdentity(accountId, id) {
      if (!isId(accountId) || !isId(id)) throw new StoreError("not-found", `no identity ${id}`);
      await ctx.write(async (t) => {
        if ((await mustIdentity(t, accountId, id)).is_primary)
          throw new StoreError("invalid", "the primary identity cannot be removed");
        await t.run("DELETE FROM identities WHERE id = $1 AND account_id = $2", [id, accountId]);
        return { value: undefined };
      });
    },

    async getVacation(accountId) {
      ctx.assertOpen();
      if (!isId(accountId)) return { ...DISABLED_VACATION };
      const r = await db.one<VacationRow>(
        "SELECT is_enabled, from_date, to_date, subject, text_body, html_body FROM vacation WHERE account_id = $1",
        [accountId],
      );
      if (!r) return { ...DISABLED_VACATION };
      return {
        isEnabled: r.is_enabled,
        fromDate: dateOf(r.from_date),
        toDate: dateOf(r.to_date),
        subject: r.subject,
        textBody: r.text_body,
        htmlBody: r.html_body,
      };
    },

    async setVacation(accountId, v): Promise<VacationResponse> {
      const from = millisOrNull(v.fromDate, "fromDate");
      const to = millisOrNull(v.toDate, "toDate");
      if (!isId(accountId)) throw new StoreError("not-found", `no account ${accountId}`);
      return ctx.write(async (t) => {
        await mustAccount(t, accountId);
        await t.run(
          `INSERT INTO vacation (account_id, is_enabled, from_date, to_date, subject, text_body, html_body)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (account_id) DO UPDATE SET is_enabled = excluded.is_enabled,
             from_date = excluded.from_date, to_date = excluded.to_date, subject = excluded.subject,
             text_body = excluded.text_body, html_body = excluded.html_body`,
          [accountId, v.isEnabled, from, to, v.subject, v.textBody, v.htmlBody],
        );
        await t.run("DELETE FROM vacation_replies WHERE account_id = $1", [accountId]);
        return {
          value: {
            isEnabled: v.isEnabled,
            fromDate: dateOf(from),
            toDate: dateOf(to),
            subject: v.subject,
            textBody: v.textBody,
            htmlBody: v.htmlBody,
          },
        };
      });
    },

    async claimVacationReply(accountId, sender, now, intervalMs) {
      const t0 = millisOrNull(now, "now") as number;
      if (!Number.isSafeInteger(intervalMs) || intervalMs < 0) {
        throw new StoreError("invalid", `invalid interval ${intervalMs}`);
      }
      if (!isId(accountId)) throw new StoreError("not-found", `no account ${accountId}`);
      const key = sender.toLowerCase();
      return ctx.write(async (t) => {
        await mustAccount(t, accountId);
        // RFC 3834 2 / RFC 5230 4.6: answered at most once per interval; older entries go.
        await t.run("DELETE FROM vacation_replies WHERE account_id = $1 AND sent_at <= $2", [
          accountId,
          t0 - intervalMs,
        ]);
        const won = await t.one(
          `INSERT INTO vacation_replies (account_id, sender, sent_at) VALUES ($1, $2, $3)
           ON CONFLICT (account_id, sender) DO NOTHING RETURNING 1 AS won`,
          [accountId, key, t0],
        );
        return { value: won !== null };
      });
    },
  };
}
