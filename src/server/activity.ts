// What the protocol dispatchers are running right now, for the event-loop monitor (loop-monitor.ts)
// to name when the loop was blocked. Yubin serves everyone on one event loop, so a command that
// computes for a second stalls every other client (issue 18); the log line must say whose command
// it was. Each dispatcher calls begin() before a command and end() after it: a Set insert and
// delete, nothing per turn of the loop.
//
// A block is seen only after it ended, when the monitor's timer finally fires; by then the command
// that blocked may have finished. So end() keeps, until the monitor's next look, the commands that
// finished meanwhile: the culprit is among those still running and those that just ended.

export interface Activity {
  /** "smtp", "submission", "pop3", "imap", "http". */
  proto: string;
  ip: string;
  /** The connection's id as its protocol logs it. */
  conn: string | number;
  /** The command verb (never its arguments: they may hold passwords). */
  command: string;
  /** Account address or id, once logged in. */
  account?: string | number;
  /** performance.now() at begin(). */
  since: number;
}

/** How many just-finished commands are kept between two looks of the monitor. */
const MAX_FINISHED = 32;

export class ActivityTracker {
  private readonly running = new Set<Activity>();
  private finished: Activity[] = [];

  begin(a: Omit<Activity, "since">): Activity {
    const act = a as Activity;
    act.since = performance.now();
    this.running.add(act);
    return act;
  }

  end(a: Activity): void {
    this.running.delete(a);
    if (this.finished.length < MAX_FINISHED) this.finished.push(a);
  }

  /** The commands that ran since the last call: still running first (oldest first), then those
   *  that finished since. Forgets the finished ones. */
  takeSuspects(): Activity[] {
    const out = [...this.running, ...this.finished];
    this.finished = [];
    return out;
  }

  /** Forget the finished ones without reporting (a look that found no block). */
  clearFinished(): void {
    if (this.finished.length > 0) this.finished = [];
  }

  get size(): number {
    return this.running.size;
  }
}
