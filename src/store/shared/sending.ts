// Per-account sending's backend-neutral pieces: the policy row as both stores read it, its
// conversion, the limit columns and the windows, the checks of a call and recordSend's decision.
// Used by the SQLite (sqlite/sending.ts) and PostgreSQL (postgres/sending.ts) stores.
import { StoreError } from "../errors.js";
import type { SendDecision, SendingLimits, SendingPolicy } from "../types.js";
import { millis } from "./checks.js";

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

/** setSendingLimits' limits: known names only, each null (no limit) or a non-negative integer. */
export function checkLimitsPatch(limits: Partial<SendingPolicy["limits"]>): void {
  for (const [k, v] of Object.entries(limits)) {
    if (!(k in COLUMNS)) throw new StoreError("invalid", `unknown limit ${k}`);
    if (v !== null && v !== undefined && !isLimit(v)) throw new StoreError("invalid", `invalid ${k} ${v}`);
  }
}

/** The limits with a checked patch applied: undefined keeps a limit, null lifts it. */
export function patchedLimits(
  cur: SendingPolicy["limits"],
  limits: Partial<SendingPolicy["limits"]>,
): SendingPolicy["limits"] {
  const next = { ...cur };
  for (const k of Object.keys(COLUMNS) as (keyof SendingLimits)[])
    if (limits[k] !== undefined) next[k] = limits[k] ?? null;
  return next;
}

/** recordSend's argument, checked; its `now` in epoch milliseconds. */
export function checkSend(send: { now: Date; recipients: number; limits: SendingLimits }): number {
  const now = millis(send.now, "now");
  if (!isLimit(send.recipients)) throw new StoreError("invalid", `invalid recipients ${send.recipients}`);
  for (const k of Object.keys(COLUMNS) as (keyof SendingLimits)[])
    if (!isLimit(send.limits[k])) throw new StoreError("invalid", `invalid ${k}`);
  return now;
}

/** One more message with `recipients` against `limits`, given what was sent within the hour and
 *  the day and what was refused within the hour: the first limit it would exceed (0: no limit),
 *  and the attempts counted with the refused ones. */
export function sendDecision(
  send: { recipients: number; limits: SendingLimits },
  sums: { hour: Sums; day: Sums; refused: Sums },
): SendDecision {
  const { hour, day, refused } = sums;
  const n = send.recipients;
  const checks: [keyof SendingLimits, number][] = [
    ["messagesPerHour", hour.messages + 1],
    ["messagesPerDay", day.messages + 1],
    ["recipientsPerHour", hour.recipients + n],
    ["recipientsPerDay", day.recipients + n],
  ];
  let over: SendDecision["over"] = null;
  for (const [limit, would] of checks) {
    const value = send.limits[limit];
    if (value > 0 && would > value) {
      over = { limit, value };
      break;
    }
  }
  return {
    allowed: over === null,
    over,
    attemptedMessagesHour: hour.messages + refused.messages + 1,
    attemptedRecipientsHour: hour.recipients + refused.recipients + n,
  };
}
