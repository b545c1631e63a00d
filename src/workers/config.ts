// [workers] section: `yubin serve` as several processes on one machine (src/workers/supervisor.ts).
import { int, oneOf, type SectionValue } from "../config/dsl.js";

export const workersSection = {
  count: int(
    1,
    "Worker processes `yubin serve` runs, sharing the listeners and the store (`--workers N` overrides); 1: one process, no supervisor. See docs/ARCHITECTURE.md (every core) for when more pays on SQLite.",
    { min: 1, max: 256 },
  ),
  scheduling: oneOf(
    ["round-robin", "kernel"] as const,
    "round-robin",
    "How new connections are spread over the workers: round-robin (the supervisor accepts and hands each to the next worker; even) or kernel (every worker accepts on the shared socket; less work for the supervisor, often uneven).",
  ),
  restartDelayMs: int(
    500,
    "Wait before a dead worker is started again; doubles for each further death in restartWindowSec.",
    {
      min: 0,
      max: 600000,
    },
  ),
  restartDelayMaxMs: int(30000, "Longest wait before a dead worker is started again.", {
    min: 0,
    max: 3600000,
  }),
  restartMax: int(
    5,
    "Deaths of one worker within restartWindowSec after which it is not started again (a crash loop; logged as an error; the other workers go on).",
    { min: 1, max: 1000 },
  ),
  restartWindowSec: int(60, "The window over which a worker's deaths are counted (restartMax).", {
    min: 1,
    max: 86400,
  }),
  tierUpBudget: int(
    0,
    "V8's --interrupt-budget in each worker (octets of bytecode a function runs before V8 considers optimising it); 0: V8's own (67,584) divided by the number of workers, so each worker, seeing 1/N of the load, has optimised code as soon as one process would (src/workers/exec-argv.ts).",
    { min: 0, max: 100000000 },
  ),
  ipcTimeoutMs: int(
    5000,
    "How long a worker waits for the supervisor's answer on a shared counter or lock before the call fails as temporary (POP3 -ERR [SYS/TEMP], IMAP NO [UNAVAILABLE]).",
    { min: 100, max: 600000 },
  ),
};

export type WorkersConfig = SectionValue<typeof workersSection>;
