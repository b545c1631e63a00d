// How an import shows its progress: on a terminal one line redrawn in place (at most 10 times a
// second) with a bar, the rate and the time left; otherwise (a log, a pipe) a plain line every
// few seconds, so a cron job's log is not flooded with redraws. And the summary at the end.
import type { ImportProgress, ImportSummary } from "./types.js";

export interface ProgressOptions {
  out: NodeJS.WritableStream;
  tty: boolean;
  /** Plain mode: seconds between lines. */
  everySeconds?: number;
  /** The clock, for tests. */
  now?: () => number;
}

const BAR_WIDTH = 24;
const TTY_INTERVAL_MS = 100;

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** One line of progress: folder, done/total, bar (when the total is known), rate and ETA. */
export function progressLine(p: ImportProgress, elapsedMs: number, withBar: boolean): string {
  const rate = elapsedMs > 0 ? (p.done * 1000) / elapsedMs : 0;
  const parts = [p.folder];
  if (p.total !== null && p.total > 0) {
    const frac = Math.min(1, p.done / p.total);
    if (withBar) {
      const full = Math.round(frac * BAR_WIDTH);
      parts.push(`[${"#".repeat(full)}${"-".repeat(BAR_WIDTH - full)}]`);
    }
    parts.push(`${p.done}/${p.total} (${Math.floor(frac * 100)}%)`);
  } else parts.push(`${p.done} messages`);
  parts.push(`${rate.toFixed(0)} msg/s`);
  if (p.total !== null && rate > 0) parts.push(`ETA ${formatDuration(Math.max(0, p.total - p.done) / rate)}`);
  if (p.duplicates > 0) parts.push(`${p.duplicates} duplicates`);
  if (p.failed > 0) parts.push(`${p.failed} failed`);
  return parts.join("  ");
}

/** A progress sink for runImport's onProgress; `end()` clears the terminal line. */
export function progressPrinter(opts: ProgressOptions): {
  onProgress(p: ImportProgress): void;
  end(): void;
} {
  const now = opts.now ?? Date.now;
  const start = now();
  const interval = opts.tty ? TTY_INTERVAL_MS : (opts.everySeconds ?? 5) * 1000;
  let last = Number.NEGATIVE_INFINITY;
  let drawn = false;
  return {
    onProgress(p) {
      const t = now();
      if (t - last < interval) return;
      last = t;
      const line = progressLine(p, t - start, opts.tty);
      if (opts.tty) {
        // \r and "erase to end of line" (ECMA-48 EL): redraw in place.
        opts.out.write(`\r${line}\x1b[K`);
        drawn = true;
      } else opts.out.write(`${line}\n`);
    },
    end() {
      if (drawn) opts.out.write("\r\x1b[K");
      drawn = false;
    },
  };
}

/** The summary as lines: the counts, then the listed failures with their reasons. */
export function summaryLines(s: ImportSummary): string[] {
  const secs = s.elapsedMs / 1000;
  const rate = secs > 0 ? Math.round(s.imported / secs) : s.imported;
  const lines = [
    `imported ${s.imported} messages (${(s.bytes / 1024 / 1024).toFixed(1)} MiB) into ${s.folders} folders in ${formatDuration(secs)} (${rate} msg/s)`,
    `skipped ${s.duplicates} duplicates, ${s.failed} failed`,
  ];
  if (s.keptUids > 0) lines.push(`kept UIDVALIDITY and UIDs in ${s.keptUids} folders`);
  for (const f of s.failures) lines.push(`failed: ${f.folder}: ${f.label}: ${f.reason}`);
  if (s.failed > s.failures.length) lines.push(`… and ${s.failed - s.failures.length} more failures`);
  return lines;
}
