// The SpamStore's input checks, bounds and verdict row shape, shared by the SQLite
// (src/store/sqlite/spam.ts) and PostgreSQL (src/store/postgres/spam.ts) stores: both refuse the
// same input with the same message. Counting and storage stay in each backend.
import { StoreError } from "../errors.js";
import type { SpamTokenCaps, SpamTraining, SpamVerdictRecord } from "../types.js";

/** Most token hashes in one call: a bounded message view yields a few thousand; this refuses a
 *  runaway caller before it builds a huge statement. */
export const SPAM_MAX_HASHES = 100_000;
/** Most models one training goes into ([0, account] in practice). */
const MAX_SCOPES = 16;
/** Longest training key (a blob id or a hash of the bytes). */
const KEY_MAX_CHARS = 512;
/** Bounds of a verdict record's text fields, in characters (reasons' bound is the contract's). */
const REASONS_MAX_CHARS = 1000;
const FIELD_MAX_CHARS = 512;
/** Most verdicts kept or listed (the [spam] keepVerdicts config's maximum). */
export const VERDICTS_MAX = 1_000_000;
const HASH_LIMIT = 2 ** 53;

/** Days added to a token's keep day (the day it was last trained) for each doubling of its
 *  count: expiry drops the earliest keep days first, so a hapax last trained today goes before a
 *  token trained 4 times (+60) up to two months ago. dspam's purge has the same shape (hapaxes
 *  after 30 unused days, the rest after 90). PostgreSQL's upsert (postgres/spam.ts) and the
 *  migrations that added keep_day (SQLite v26, PostgreSQL v7) spell the 30 out in SQL. */
export const SPAM_KEEP_DAYS_PER_DOUBLING = 30;
/** Largest cap and batch accepted by expireTokens. */
const EXPIRY_MAX = 1_000_000_000;
const DAY_MS = 86_400_000;

const DOORS = new Set<SpamVerdictRecord["door"]>(["inbound", "submission", "jmap"]);
const ACTIONS = new Set<SpamVerdictRecord["action"]>(["deliver", "junk", "reject", "hold"]);

export interface VerdictRow {
  at: number;
  message_id: string;
  door: SpamVerdictRecord["door"];
  mail_from: string;
  recipient: string;
  recipients: number;
  score: number;
  action: SpamVerdictRecord["action"];
  reasons: string;
}

export function invalid(message: string): never {
  throw new StoreError("invalid", message);
}

export function id(v: unknown, what: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0) invalid(`${what} ${String(v)} is not an id`);
  return v as number;
}

export function count(v: unknown, what: string, max: number): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0 || (v as number) > max) {
    invalid(`${what} ${String(v)} is not a count up to ${max}`);
  }
  return v as number;
}

/** The hashes, each once, in ascending order: written in key order, a training's upserts walk the
 *  index's pages in turn (SQLite, measured: 5.5 ms of CPU for 1,000 new tokens in a 200k model,
 *  against 8.4 ms unsorted and 13.5 ms as one INSERT … SELECT FROM json_each), and on PostgreSQL
 *  concurrent trainings take token rows in the same order, so they wait rather than deadlock. */
export function hashList(hashes: readonly number[]): number[] {
  if (!Array.isArray(hashes)) invalid("token hashes are not a list");
  if (hashes.length > SPAM_MAX_HASHES) invalid(`more than ${SPAM_MAX_HASHES} token hashes`);
  const seen = new Set<number>();
  for (const h of hashes) {
    if (!Number.isSafeInteger(h) || h < 0 || h >= HASH_LIMIT) invalid(`token hash ${String(h)} out of range`);
    seen.add(h);
  }
  return [...seen].sort((a, b) => a - b);
}

/** A training checked: its models, each once (in the caller's order), and its hashes (hashList).
 *  `checkKey` is the backend's own refusal of a key it cannot store (PostgreSQL: U+0000). */
export function checkTraining(
  t: SpamTraining,
  checkKey?: (key: string) => void,
): { scopes: number[]; hashes: number[]; day: number } {
  if (typeof t !== "object" || t === null) invalid("training is not an object");
  id(t.accountId, "account");
  if (typeof t.key !== "string" || t.key.length === 0 || t.key.length > KEY_MAX_CHARS) {
    invalid(`training key must be 1 to ${KEY_MAX_CHARS} characters`);
  }
  checkKey?.(t.key);
  if (t.as !== null && t.as !== "spam" && t.as !== "ham") invalid(`training class ${String(t.as)}`);
  if (!Array.isArray(t.scopes) || t.scopes.length > MAX_SCOPES)
    invalid("training scopes must be a short list");
  const scopes = [...new Set(t.scopes.map((v) => id(v, "scope")))];
  if (t.as !== null && scopes.length === 0) invalid("training into no model");
  return { scopes, hashes: hashList(t.hashes), day: trainingDay(t.at) };
}

/** The day a training counts as (days since 1970-01-01 UTC): `at`, or now. */
export function trainingDay(at: Date | undefined): number {
  if (at === undefined) return Math.floor(Date.now() / DAY_MS);
  const t = at instanceof Date ? at.getTime() : Number.NaN;
  if (!Number.isFinite(t) || t < 0) invalid("training time is not a valid date");
  return Math.floor(t / DAY_MS);
}

/** A token's keep day after a training on `day` left it at `total` trained messages (it never
 *  moves back): the day plus SPAM_KEEP_DAYS_PER_DOUBLING per doubling, floor(log2(total)). */
export function keepDay(day: number, total: number): number {
  return day + SPAM_KEEP_DAYS_PER_DOUBLING * (31 - Math.clz32(Math.max(1, total)));
}

/** expireTokens' arguments checked: the caps, the batch limit and the time, as epoch ms. */
export function checkExpiry(caps: SpamTokenCaps, limit: number, now: Date): number {
  if (typeof caps !== "object" || caps === null) invalid("token caps are not an object");
  count(caps.global, "global token cap", EXPIRY_MAX);
  count(caps.perUser, "per-user token cap", EXPIRY_MAX);
  count(limit, "limit", EXPIRY_MAX);
  const t = now instanceof Date ? now.getTime() : Number.NaN;
  if (!Number.isFinite(t)) invalid("expiry time is not a valid date");
  return t;
}

/** A verdict record checked and bounded as its row; `clean` is the backend's text cleaner
 *  (PostgreSQL: withoutNul), applied after the bound. */
export function verdictRow(v: SpamVerdictRecord, clean: (s: string) => string = (s) => s): VerdictRow {
  if (typeof v !== "object" || v === null) invalid("verdict is not an object");
  const at = v.at instanceof Date ? v.at.getTime() : Number.NaN;
  if (!Number.isFinite(at)) invalid("verdict time is not a valid date");
  if (!DOORS.has(v.door)) invalid(`verdict door ${String(v.door)}`);
  if (!ACTIONS.has(v.action)) invalid(`verdict action ${String(v.action)}`);
  if (typeof v.score !== "number" || Number.isNaN(v.score)) invalid("verdict score is not a number");
  const text = (s: unknown, what: string, max: number): string => {
    if (typeof s !== "string") invalid(`verdict ${what} is not a string`);
    return clean(s.length > max ? s.slice(0, max) : s);
  };
  return {
    at,
    message_id: text(v.messageId, "messageId", FIELD_MAX_CHARS),
    door: v.door,
    mail_from: text(v.mailFrom, "mailFrom", FIELD_MAX_CHARS),
    recipient: text(v.recipient, "recipient", FIELD_MAX_CHARS),
    recipients: count(v.recipients, "recipients", Number.MAX_SAFE_INTEGER),
    // ±Infinity is stored as the largest finite score (SQLite REAL has no Infinity in JSON out).
    score: Math.max(-Number.MAX_VALUE, Math.min(Number.MAX_VALUE, v.score)),
    action: v.action,
    reasons: text(v.reasons, "reasons", REASONS_MAX_CHARS),
  };
}

export const toVerdict = (r: VerdictRow): SpamVerdictRecord => ({
  at: new Date(r.at),
  messageId: r.message_id,
  door: r.door,
  mailFrom: r.mail_from,
  recipient: r.recipient,
  recipients: r.recipients,
  score: r.score,
  action: r.action,
  reasons: r.reasons,
});
