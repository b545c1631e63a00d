// Waiting for a private server a test started (src/testing/postgres.ts, src/testing/redis.ts) to
// answer: bounded in time, and failing at once when the server exits instead of waiting out the
// timeout; a server still not answering at the deadline is killed.
import type { ChildProcess } from "node:child_process";

export interface WaitReadyOptions {
  /** The program, for the error ("postgres", "redis-server"). */
  name: string;
  child: ChildProcess;
  timeoutMs: number;
  /** Pause between probes. */
  intervalMs: number;
  /** true once the server answers; must not throw. */
  probe(): Promise<boolean>;
  /** What to add to an error (the server's log), when there is something. */
  detail?: () => string;
}

export async function waitReady(opts: WaitReadyOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let exited = false;
  opts.child.once("exit", () => {
    exited = true;
  });
  const fail = (what: string) => new Error(opts.detail ? `${what}:\n${opts.detail()}` : what);
  for (;;) {
    if (exited) throw fail(`${opts.name} exited at start`);
    if (await opts.probe()) return;
    if (Date.now() > deadline) {
      // Not left running: its pipes would keep the test file alive until the runner's timeout.
      opts.child.kill("SIGKILL");
      throw fail(`${opts.name} not ready after ${opts.timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs));
  }
}
