// DirectoryStore.lookupRecipient on PostgreSQL: whether the address's domain is ours and its
// account with the quota usage, active Sieve script and vacation response, in one statement.
// Why: an SMTP delivery read these in five autocommit statements (domain, account, quota at RCPT;
// the Sieve script and the vacation response in the post office), each a round trip to the
// database (docs/ARCHITECTURE.md, PostgreSQL store: a delivery's round trips).

import { keyOf } from "../shared/directory.js";
import { DISABLED_VACATION, dateOf } from "../shared/settings.js";
import type { RecipientLookup, RecipientQuery } from "../types.js";
import type { PgCtx } from "./context.js";
import { type AccountRow, toAccount } from "./rows.js";

interface Row extends AccountRow {
  domain_ours: boolean;
  /** null: no account with one of the addresses (the other account columns are null too). */
  s_id: number | null;
  s_name: string | null;
  s_content: Buffer | null;
  s_updated_at: number | null;
  v_enabled: boolean | null;
  v_from: number | null;
  v_to: number | null;
  v_subject: string | null;
  v_text: string | null;
  v_html: string | null;
}

// The domain test stands apart from the account's join, so an unknown address of one of our
// domains still says "ours" (and an address of another domain finds no account: accounts
// reference their domain). At most one account row: address_key is unique, and the first
// spelling's comes first.
const LOOKUP = `SELECT EXISTS (SELECT 1 FROM domains WHERE name = ANY($1::text[])) AS domain_ours,
  a.id, a.address, a.domain, a.password_hash, a.quota_bytes, a.quota_messages, a.is_admin, a.disabled,
  a.used_bytes, a.used_messages, a.created_at,
  s.id AS s_id, s.name AS s_name, s.content AS s_content, s.updated_at AS s_updated_at,
  v.is_enabled AS v_enabled, v.from_date AS v_from, v.to_date AS v_to, v.subject AS v_subject,
  v.text_body AS v_text, v.html_body AS v_html
FROM (SELECT 1) one
LEFT JOIN LATERAL (SELECT * FROM accounts WHERE address_key = ANY($2::text[])
  ORDER BY array_position($2::text[], address_key) LIMIT 1) a ON true
LEFT JOIN sieve_scripts s ON s.account_id = a.id AND s.active
LEFT JOIN vacation v ON v.account_id = a.id`;

export function createRecipientLookup(ctx: PgCtx): (q: RecipientQuery) => Promise<RecipientLookup> {
  return async (q) => {
    ctx.assertOpen();
    const domains = [...new Set(q.domains.map((d) => d.trim().toLowerCase()))];
    const keys = [...new Set(q.addresses.map((a) => keyOf(a.trim())))];
    const r = await ctx.db.one<Row>(LOOKUP, [domains, keys]);
    if (!r || r.id === null) return { domainIsOurs: r?.domain_ours === true, account: null };
    const account = toAccount(r);
    return {
      domainIsOurs: r.domain_ours,
      account: {
        account,
        facts: {
          quota: {
            bytes: r.used_bytes,
            messages: r.used_messages,
            quotaBytes: r.quota_bytes,
            quotaMessages: r.quota_messages,
          },
          sieve:
            r.s_id === null
              ? null
              : {
                  id: r.s_id,
                  accountId: account.id,
                  name: r.s_name ?? "",
                  content: (r.s_content ?? Buffer.alloc(0)).toString("utf8"),
                  active: true,
                  updatedAt: new Date(r.s_updated_at ?? 0),
                },
          vacation:
            r.v_enabled === null
              ? { ...DISABLED_VACATION }
              : {
                  isEnabled: r.v_enabled,
                  fromDate: dateOf(r.v_from),
                  toDate: dateOf(r.v_to),
                  subject: r.v_subject,
                  textBody: r.v_text,
                  htmlBody: r.v_html,
                },
        },
      },
    };
  };
}
