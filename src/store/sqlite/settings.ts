// Per-account settings (SettingsStore): identities, the vacation response, and the senders an
// auto-reply answered. Tables and the triggers that log their changes: settings-schema.ts.
import { StoreError } from "../errors.js";
import { normalizeAddress } from "../shared/directory.js";
import { addresses, addressJson, DISABLED_VACATION, dateOf } from "../shared/settings.js";
import type { Identity, SettingsStore } from "../types.js";
import type { Ctx } from "./context.js";

interface IdentityRow {
  id: number;
  account_id: number;
  email: string;
  name: string;
  reply_to: string | null;
  bcc: string | null;
  text_signature: string;
  html_signature: string;
  is_primary: number;
}

/** A vacation row as SQLite returns it (also read by recipient-lookup.ts). */
export interface VacationRow {
  is_enabled: number;
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
  primary: r.is_primary === 1,
});

function millis(d: Date | null, what: string): number | null {
  if (d === null) return null;
  const t = d.getTime();
  if (!Number.isFinite(t)) throw new StoreError("invalid", `${what} is not a valid date`);
  return t;
}

export function createSettings(ctx: Ctx): SettingsStore {
  const db = ctx.db;
  const s = {
    account: db.prepare<[number], { id: number }>("SELECT id FROM accounts WHERE id = ?"),
    list: db.prepare<[number], IdentityRow>(
      "SELECT * FROM identities WHERE account_id = ? ORDER BY is_primary DESC, id",
    ),
    one: db.prepare<[number, number], IdentityRow>(
      "SELECT * FROM identities WHERE account_id = ? AND id = ?",
    ),
    insert: db.prepare<[number, string, string, string | null, string | null, string, string]>(
      `INSERT INTO identities (account_id, email, name, reply_to, bcc, text_signature, html_signature)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    update: db.prepare<[string, string | null, string | null, string, string, number]>(
      "UPDATE identities SET name = ?, reply_to = ?, bcc = ?, text_signature = ?, html_signature = ? WHERE id = ?",
    ),
    remove: db.prepare<[number]>("DELETE FROM identities WHERE id = ?"),
    vacation: db.prepare<[number], VacationRow>("SELECT * FROM vacation WHERE account_id = ?"),
    setVacation: db.prepare<
      [number, number, number | null, number | null, string | null, string | null, string | null]
    >(
      `INSERT INTO vacation (account_id, is_enabled, from_date, to_date, subject, text_body, html_body)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id) DO UPDATE SET is_enabled = excluded.is_enabled,
         from_date = excluded.from_date, to_date = excluded.to_date, subject = excluded.subject,
         text_body = excluded.text_body, html_body = excluded.html_body`,
    ),
    forgetReplies: db.prepare<[number]>("DELETE FROM vacation_replies WHERE account_id = ?"),
    pruneReplies: db.prepare<[number, number]>(
      "DELETE FROM vacation_replies WHERE account_id = ? AND sent_at <= ?",
    ),
    replied: db.prepare<[number, string], { sent_at: number }>(
      "SELECT sent_at FROM vacation_replies WHERE account_id = ? AND sender = ?",
    ),
    remember: db.prepare<[number, string, number]>(
      `INSERT INTO vacation_replies (account_id, sender, sent_at) VALUES (?, ?, ?)
       ON CONFLICT (account_id, sender) DO UPDATE SET sent_at = excluded.sent_at`,
    ),
  };

  const mustAccount = (id: number) => {
    if (!s.account.get(id)) throw new StoreError("not-found", `no account ${id}`);
  };
  const mustIdentity = (accountId: number, id: number): IdentityRow => {
    const r = s.one.get(accountId, id);
    if (!r) throw new StoreError("not-found", `no identity ${id}`);
    return r;
  };

  return {
    async listIdentities(accountId) {
      return ctx.read(() => s.list.all(accountId).map(toIdentity));
    },
    async createIdentity(accountId, f) {
      const email = normalizeAddress(f.email, false).address;
      const replyTo = addressJson(f.replyTo, "replyTo");
      const bcc = addressJson(f.bcc, "bcc");
      return ctx.write(() => {
        mustAccount(accountId);
        const r = s.insert.run(accountId, email, f.name, replyTo, bcc, f.textSignature, f.htmlSignature);
        return { value: toIdentity(mustIdentity(accountId, Number(r.lastInsertRowid))) };
      });
    },
    async updateIdentity(accountId, id, patch) {
      return ctx.write(() => {
        const cur = toIdentity(mustIdentity(accountId, id));
        const next = { ...cur, ...patch };
        s.update.run(
          next.name,
          addressJson(next.replyTo, "replyTo"),
          addressJson(next.bcc, "bcc"),
          next.textSignature,
          next.htmlSignature,
          id,
        );
        return { value: toIdentity(mustIdentity(accountId, id)) };
      });
    },
    async removeIdentity(accountId, id) {
      ctx.write(() => {
        if (mustIdentity(accountId, id).is_primary === 1) {
          throw new StoreError("invalid", "the primary identity cannot be removed");
        }
        s.remove.run(id);
        return { value: undefined };
      });
    },
    async getVacation(accountId) {
      return ctx.read(() => {
        const r = s.vacation.get(accountId);
        if (!r) return { ...DISABLED_VACATION };
        return {
          isEnabled: r.is_enabled === 1,
          fromDate: dateOf(r.from_date),
          toDate: dateOf(r.to_date),
          subject: r.subject,
          textBody: r.text_body,
          htmlBody: r.html_body,
        };
      });
    },
    async setVacation(accountId, v) {
      const from = millis(v.fromDate, "fromDate");
      const to = millis(v.toDate, "toDate");
      return ctx.write(() => {
        mustAccount(accountId);
        s.setVacation.run(accountId, v.isEnabled ? 1 : 0, from, to, v.subject, v.textBody, v.htmlBody);
        s.forgetReplies.run(accountId);
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
      const t = millis(now, "now")!;
      if (!Number.isSafeInteger(intervalMs) || intervalMs < 0) {
        throw new StoreError("invalid", `invalid interval ${intervalMs}`);
      }
      const key = sender.toLowerCase();
      return ctx.write(() => {
        mustAccount(accountId);
        s.pruneReplies.run(accountId, t - intervalMs);
        if (s.replied.get(accountId, key)) return { value: false };
        s.remember.run(accountId, key, t);
        return { value: true };
      });
    },
  };
}
