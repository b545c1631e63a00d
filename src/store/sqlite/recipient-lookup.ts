// DirectoryStore.lookupRecipient on SQLite: whether the address's domain is ours and its account
// with the quota usage, active Sieve script and vacation response, in one read (the PostgreSQL
// store answers it in one statement: postgres/recipient-lookup.ts).
import { keyOf } from "../shared/directory.js";
import { DISABLED_VACATION, dateOf } from "../shared/settings.js";
import type { RecipientLookup, RecipientQuery } from "../types.js";
import type { Ctx } from "./context.js";
import { type AccountRow, toAccount } from "./rows.js";
import type { VacationRow } from "./settings.js";

interface ScriptRow {
  id: number;
  name: string;
  content: string;
  updated_at: number;
}

export function createRecipientLookup(ctx: Ctx): (q: RecipientQuery) => Promise<RecipientLookup> {
  const db = ctx.db;
  const s = {
    domain: db.prepare<[string], { one: number }>("SELECT 1 AS one FROM domains WHERE name = ?"),
    account: db.prepare<[string], AccountRow>("SELECT * FROM accounts WHERE address_key = ?"),
    script: db.prepare<[number], ScriptRow>(
      "SELECT id, name, content, updated_at FROM sieve_scripts WHERE account_id = ? AND active = 1",
    ),
    vacation: db.prepare<[number], VacationRow>(
      "SELECT is_enabled, from_date, to_date, subject, text_body, html_body FROM vacation WHERE account_id = ?",
    ),
  };
  return async (q) =>
    ctx.read(() => {
      const domainIsOurs = q.domains.some((d) => s.domain.get(d.trim().toLowerCase()) !== undefined);
      let row: AccountRow | undefined;
      for (const a of q.addresses) {
        row = s.account.get(keyOf(a.trim()));
        if (row) break;
      }
      if (!row) return { domainIsOurs, account: null };
      const account = toAccount(row);
      const script = s.script.get(account.id);
      const v = s.vacation.get(account.id);
      return {
        domainIsOurs,
        account: {
          account,
          facts: {
            quota: {
              bytes: row.used_bytes,
              messages: row.used_messages,
              quotaBytes: row.quota_bytes,
              quotaMessages: row.quota_messages,
            },
            sieve: script
              ? {
                  id: script.id,
                  accountId: account.id,
                  name: script.name,
                  content: script.content,
                  active: true,
                  updatedAt: new Date(script.updated_at),
                }
              : null,
            vacation: v
              ? {
                  isEnabled: v.is_enabled === 1,
                  fromDate: dateOf(v.from_date),
                  toDate: dateOf(v.to_date),
                  subject: v.subject,
                  textBody: v.text_body,
                  htmlBody: v.html_body,
                }
              : { ...DISABLED_VACATION },
          },
        },
      };
    });
}
