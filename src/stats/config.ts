// [stats] section of the config file: the hourly counters the admin overview charts (issue 21),
// kept in the store so they survive restarts, and the thresholds at which its cards turn red.
import { bool, int } from "../config/dsl.js";

export const statsSection = {
  enabled: bool(
    true,
    "Keep hourly counts of messages in and out, rejections by reason, spam, viruses, deferred and bounced deliveries, failed and throttled logins, and the queue size, in the store, for the charts of the admin overview.",
  ),
  flushSec: int(
    60,
    "How often the counts gathered in memory are written to the store (one write for all of them; also at stop). The overview adds this process's unwritten counts, so it is never behind.",
    { min: 1, max: 3600 },
  ),
  queueSampleSec: int(
    300,
    "How often the outbound queue's size is sampled for the chart (the hour keeps its largest sample).",
    { min: 10, max: 3600 },
  ),
  hourlyRetentionDays: int(
    32,
    "Hourly counts older than this are removed (the 24-hour charts need one day).",
    {
      min: 2,
      max: 3660,
    },
  ),
  dailyRetentionDays: int(400, "Daily sums older than this are removed (the 30-day charts need 30 days).", {
    min: 31,
    max: 36600,
  }),
  queueAlertHours: int(
    6,
    "The overview's queue card turns red when the oldest message waiting for delivery is older than this.",
    { min: 1, max: 720 },
  ),
  failedLoginAlertPerHour: int(
    100,
    "The overview's login card turns red when failed plus throttled logins in this clock hour, or the one before, reach this.",
    { min: 1, max: 100000000 },
  ),
};
