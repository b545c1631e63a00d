// Where log lines go when nobody may be reading: the server's stdout/stderr are often a pipe (a
// journal, `yubin serve | tee log`, a container runtime, a test runner), and its reader can die
// before the server does. A write to a pipe with no reader fails with EPIPE, which Node reports as
// an 'error' event on process.stdout. Unhandled, that event was an uncaught exception; once
// guardProcess() (src/server/process-guard.ts) was installed, its handler logged it, that write
// failed again, and so on: Node's stdio streams are never really destroyed (each write is tried
// again and fails again), and the error is emitted on process.nextTick, so the loop never yields
// to I/O. The process spun there and SIGTERM's shutdown never ran (seen: orphaned servers
// still alive a minute after SIGTERM; without the guard, a supervisor died with code 1 instead).
//
// A reader alive but not reading (a stalled journal, a paused pager) is the other way output can
// hurt: Node keeps what the pipe cannot take in memory, without bound. Past MAX_PENDING_BYTES, lines
// are dropped until the reader catches up. (Such pending writes also keep a stopped process alive:
// `yubin serve` gives them a bounded time, src/cli/commands/serve.ts.)
//
// Invariant: a failed log write never throws, never emits an error that reaches the process, and
// never stalls shutdown. A stream whose reader is gone is remembered as gone and later lines are
// dropped without a write (there is nowhere left to report them).
import type { Writable } from "node:stream";

/** Output waiting for a reader that is alive but not reading (a stalled journal, a paused
 *  pager) is held in memory by Node: past this much, lines are dropped instead of piling up. */
export const MAX_PENDING_BYTES = 1 << 20;

/** Errors that mean nobody will ever read this stream again. */
const GONE_CODES = new Set(["EPIPE", "ECONNRESET", "EBADF", "ERR_STREAM_DESTROYED"]);

const watched = new WeakMap<NodeJS.WritableStream, OutputState>();

export interface OutputState {
  /** True once a write failed because the reader is gone: later writes are skipped. */
  gone: boolean;
  /** Write errors seen (and swallowed), for tests and diagnostics. */
  errors: number;
  /** Lines dropped because MAX_PENDING_BYTES were already waiting for the reader. */
  dropped: number;
}

/**
 * Makes `stream` survive the loss of its reader: its write errors are swallowed (an 'error'
 * listener, so none becomes an uncaught exception) and a lost reader is remembered. Idempotent:
 * every writer of process.stdout (the logger, the CLI's banner) shares the one listener and state.
 */
export function surviveLostReader(stream: NodeJS.WritableStream): OutputState {
  const known = watched.get(stream);
  if (known) return known;
  const s: OutputState = { gone: false, errors: 0, dropped: 0 };
  stream.on("error", (e: NodeJS.ErrnoException) => {
    s.errors++;
    if (e.code !== undefined && GONE_CODES.has(e.code)) s.gone = true;
  });
  watched.set(stream, s);
  return s;
}

/** A line writer to `stream` (a newline is added) that drops lines once the reader is gone or
 *  while it lags MAX_PENDING_BYTES behind, and never throws: a log line is never worth a request,
 *  let alone the process. */
export function lineSink(
  stream: NodeJS.WritableStream,
  /** The line that tells the reader, once it caught up, how many lines it missed (in the
   *  writer's own format); none if omitted. */
  droppedNote?: (dropped: number) => string,
): (line: string) => void {
  const state = surviveLostReader(stream);
  const pending = () => (stream as Partial<Writable>).writableLength ?? 0;
  let told = state.dropped;
  return (line) => {
    if (state.gone) return;
    if (pending() >= MAX_PENDING_BYTES) {
      state.dropped++;
      return;
    }
    try {
      // Lines dropped since the last note (by any writer of this stream) are counted once, here,
      // so a reader that lagged sees that its log has a hole and how large.
      if (droppedNote && state.dropped > told) {
        const missed = state.dropped - told;
        told = state.dropped;
        stream.write(droppedNote(missed) + "\n");
      }
      stream.write(line + "\n");
    } catch {
      // A synchronous failure (a stream already ended): the same as a lost reader.
      state.gone = true;
    }
  };
}
