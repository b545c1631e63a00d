// Event-loop health (issue 18): one process serves every protocol on one event loop, so any
// synchronous work that runs long (a super-linear regex on a hostile message, a huge sort) delays
// every client. A timer checks how late it fires; when one block of the loop lasted at least
// server.eventLoopBlockWarnMs it logs a warning that names the commands that were running then
// (activity.ts: protocol, address, connection, account, command), and counts it (health.ts).
// A timer drift check rather than perf_hooks.monitorEventLoopDelay: the histogram tells how bad
// the lag was, not when, and the "when" is what ties a block to the command that caused it.
import type { Logger } from "../log/logger.js";
import type { Activity, ActivityTracker } from "./activity.js";
import type { Health } from "./health.js";

export interface LoopMonitorOptions {
  /** Warn about blocks at least this long; 0 turns the monitor off. */
  thresholdMs: number;
  activity: ActivityTracker;
  health: Health;
  log: Logger;
}

/** How many of the commands running during a block the warning names. */
const MAX_NAMED = 8;

/** Starts watching; returns the function that stops it. The timer never keeps the process alive. */
export function startLoopMonitor(opts: LoopMonitorOptions): () => void {
  if (opts.thresholdMs <= 0) return () => {};
  // Several looks per threshold, so a block is measured to within a quarter of it; at least 10 ms
  // apart (cost: one timer callback each).
  const everyMs = Math.max(10, Math.min(100, Math.floor(opts.thresholdMs / 4)));
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const blockedMs = now - last - everyMs;
    last = now;
    if (blockedMs < opts.thresholdMs) {
      opts.activity.clearFinished();
      return;
    }
    const h = opts.health;
    h.loopBlocks++;
    if (blockedMs > h.longestBlockMs) h.longestBlockMs = Math.round(blockedMs);
    const suspects = opts.activity.takeSuspects();
    opts.log.warn("event loop blocked", {
      ms: Math.round(blockedMs),
      during: suspects.slice(0, MAX_NAMED).map((a) => describe(a, now)),
      more: Math.max(0, suspects.length - MAX_NAMED),
      blocks: h.loopBlocks,
    });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** "imap 192.0.2.1 conn=7 account=3 SORT (1520 ms)": who, and how long the command had run. */
function describe(a: Activity, now: number): string {
  const who = a.account === undefined ? "" : ` account=${a.account}`;
  return `${a.proto} ${a.ip} conn=${a.conn}${who} ${a.command} (${Math.round(now - a.since)} ms)`;
}
