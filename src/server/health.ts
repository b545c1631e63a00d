// Counters of what went wrong in this process since it started, shown on the admin start page
// (admin/overview.ts) and logged with each event: uncaught errors survived (process-guard.ts) and
// event-loop blocks (loop-monitor.ts). Plain numbers, written from one thread.
export interface Health {
  /** Unhandled promise rejections and uncaught exceptions after start-up, logged and survived. */
  uncaughtErrors: number;
  /** Times the event loop was blocked longer than server.eventLoopBlockWarnMs. */
  loopBlocks: number;
  /** The longest such block, in milliseconds. */
  longestBlockMs: number;
}

export function newHealth(): Health {
  return { uncaughtErrors: 0, loopBlocks: 0, longestBlockMs: 0 };
}
