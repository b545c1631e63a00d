// After start-up, one request's bug must not end the process: every user's mail goes through this
// one process, so an exception that escaped a handler (a callback outside any try, a promise
// nobody awaited) is logged with its stack and counted, and the process goes on (issue 18). Each
// listener's own boundary closes the connection concerned; this is the last net behind them.
// Until guardProcess() is called (serve calls it once every listener is up), Node's default stays:
// an error at start-up ends the process with the error, which is what an operator wants then.
import type { Logger } from "../log/logger.js";
import type { Health } from "./health.js";

export function guardProcess(log: Logger, health: Health): () => void {
  const onRejection = (reason: unknown) => {
    health.uncaughtErrors++;
    const err = asError(reason);
    log.error("unhandled promise rejection (survived)", {
      err,
      stack: err.stack,
      count: health.uncaughtErrors,
    });
  };
  const onException = (err: Error, origin: string) => {
    health.uncaughtErrors++;
    log.error("uncaught exception (survived)", {
      err,
      stack: err.stack,
      origin,
      count: health.uncaughtErrors,
    });
  };
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onException);
  return () => {
    process.off("unhandledRejection", onRejection);
    process.off("uncaughtException", onException);
  };
}

function asError(v: unknown): Error {
  return v instanceof Error ? v : new Error(`non-Error rejection: ${String(v)}`);
}
