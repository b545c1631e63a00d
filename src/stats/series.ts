// The names of the stored series the admin charts draw (issue 21), one per thing an admin watches.
// Names are stable: they are the keys of rows kept for a year (StatsStore).
import type { RejectReason } from "../metrics/events.js";

export const REJECT_REASONS = [
  "spam",
  "virus",
  "auth",
  "dnsbl",
  "greylist",
  "policy",
  "sieve",
  "other",
] as const satisfies readonly RejectReason[];

/** Every counter series, in a fixed order: the recorder keeps an array indexed by this. */
export const COUNTERS = [
  "msg.in", // accepted on port 25
  "msg.submitted", // accepted from our users: submission and JMAP
  "delivery.remote.delivered",
  "delivery.local.delivered",
  "delivery.deferred",
  "delivery.bounced",
  "spam.junk",
  "spam.rejected",
  "virus",
  "login.failed",
  "login.throttled",
  ...REJECT_REASONS.map((r) => `rejected.${r}` as const),
] as const;

export type CounterName = (typeof COUNTERS)[number];

/** The sampled gauge of the outbound queue's size. */
export const QUEUE_SIZE = "queue.size";

export const HOUR_MS = 3_600_000;
export const hourOf = (ms: number): number => Math.floor(ms / HOUR_MS);
export const dayOf = (ms: number): number => Math.floor(ms / 86_400_000);
