// Per-account sending's backend-neutral pieces: the policy row as both stores read it, its
// conversion, the limit columns and the windows. Used by the SQLite (sqlite/sending.ts) and
// PostgreSQL (postgres/sending.ts) stores.
import type { SendingLimits, SendingPolicy } from "../types.js";

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface PolicyRow {
  messages_per_hour: number | null;
  messages_per_day: number | null;
  recipients_per_hour: number | null;
  recipients_per_day: number | null;
  frozen_at: number | null;
  frozen_reason: string | null;
}

/** What the log holds for one account in a window. */
export interface Sums {
  messages: number;
  recipients: number;
}

/** Each limit's column in sending_policy. */
export const COLUMNS: Record<keyof SendingLimits, keyof PolicyRow> = {
  messagesPerHour: "messages_per_hour",
  messagesPerDay: "messages_per_day",
  recipientsPerHour: "recipients_per_hour",
  recipientsPerDay: "recipients_per_day",
};

/** The policy; an account without a row has no limits and is not frozen. */
export const toPolicy = (r: PolicyRow | null | undefined): SendingPolicy => ({
  limits: {
    messagesPerHour: r?.messages_per_hour ?? null,
    messagesPerDay: r?.messages_per_day ?? null,
    recipientsPerHour: r?.recipients_per_hour ?? null,
    recipientsPerDay: r?.recipients_per_day ?? null,
  },
  frozenAt: r?.frozen_at == null ? null : new Date(r.frozen_at),
  frozenReason: r?.frozen_at == null ? null : (r.frozen_reason ?? ""),
});

export const isLimit = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
