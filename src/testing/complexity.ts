// Complexity checks for code that runs on hostile input (issue 18): a parser or transform
// reachable from the network must take time linear in its input, since one super-linear step
// on one message or command blocks the single event loop for every user.
//
// assertLinear(name, make, run, options) times run(make(n)) and run(make(n * factor)) and fails
// when the larger input takes more than maxRatio times as long. With factor 8 linear code grows
// ~8x and quadratic code ~64x, so the default maxRatio of 24 (16 failed linear code twice in clean CI runs, at 16.3 and 16.6) tells them apart with room for the
// noise of a shared 2-core machine (the issue asks for ~10x; GC and cache effects push linear
// code past 10x now and then), without depending on absolute speed:
//
//   import { assertLinear } from "../testing/complexity.js";
//   test("LIST pattern of many %", () =>
//     assertLinear("list %", (n) => "%".repeat(n), (p) => matchPattern(p, "Archive/2024"), { n: 2000 }));
//
// How to choose n: large enough that run(make(n)) takes a few milliseconds (timer
// resolution and call overhead would otherwise dominate; a too-small n is raised automatically,
// see minMs), and small enough that the n * factor run stays within ~50-300 ms on linear code.
// make() is called outside the timing. Each size is run `reps` times after a warm-up run, small
// and large in turn, and the minimum CPU time (not wall-clock time: the machine is shared) is
// kept: the minimum is the run least disturbed by other processes, caches and GC.
//
// A ratio over the bar is measured once more at twice the size (see assertLinear) before it fails
// the test. A failure names the input, both times and the ratio. A test must fail on the super-linear code it
// guards against: check that by running it against the old code once (quadratic code usually
// misses the bar by a wide margin: 64x for factor 8).

export interface LinearOptions {
  /** The smaller input size (meaning is up to make()). */
  n: number;
  /** The larger input is n * factor. Default 8. */
  factor?: number;
  /** Largest allowed time(n * factor) / time(n). Default 16 (linear ~8, quadratic ~64). */
  maxRatio?: number;
  /** Timed runs per size after one warm-up run; the minimum counts. Default 5. */
  reps?: number;
  /** If the small run takes less than this, n is doubled (at most 10 times, and within maxSize)
   *  so the timing means something. Default 5 ms (shorter runs are at the mercy of background
   *  threads: concurrent GC marking and compilation count in the process CPU time). */
  minMs?: number;
  /** n * factor is kept within maxSize when n is raised (inputs of many megabytes measure the
   *  memory caches and the garbage collector more than the code; and code that cuts its input
   *  at some length must be measured below that length). Default 1,000,000. */
  maxSize?: number;
  /** run() is called this many times per timing (default 1): a way to reach timeable lengths
   *  with inputs that stay small. Code that makes an object per input character (a tokenizer)
   *  pays a one-time step in cost per object when one run's live objects outgrow V8's young
   *  generation (~100,000 small objects); a factor of 8 that straddles that step looks
   *  super-linear. Keep such inputs below it (maxSize ~40,000) and repeat instead. */
  repeat?: number;
  /** A budget for one large run, as a safety net: fail when it takes more than this many ms of
   *  CPU even if the ratio looks fine, and stop measuring as soon as one run exceeds it (so that
   *  quadratic code fails in seconds, not minutes). Default 2000. */
  maxMs?: number;
}

export interface LinearResult {
  n: number;
  smallMs: number;
  largeMs: number;
  ratio: number;
}

export class NotLinearError extends Error {
  constructor(
    message: string,
    readonly result: LinearResult,
  ) {
    super(message);
    this.name = "NotLinearError";
  }
}

/** CPU time (user + system, all threads of the process: GC helpers count) of one run, in ms.
 *  CPU time rather than wall-clock time: on a machine shared with other test runs the wall clock
 *  also counts the time this process waited for a core, which says nothing of the code. */
function cpuMs<I>(input: I, run: (input: I) => unknown): number {
  const before = process.cpuUsage();
  run(input);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/** The minimum over `reps` rounds of each input's time; small and large alternate, so a change
 *  of load during the measurement hits both. */
function timeBoth<I>(
  small: I,
  large: I,
  run: (input: I) => unknown,
  o: { reps: number; maxMs: number },
): [number, number] {
  let s = Number.POSITIVE_INFINITY;
  let l = Number.POSITIVE_INFINITY;
  for (let i = 0; i < o.reps; i++) {
    s = Math.min(s, cpuMs(small, run));
    const ms = cpuMs(large, run);
    l = Math.min(l, ms);
    if (ms > o.maxMs) break; // hopeless already: fail now rather than spend minutes
  }
  return [s, l];
}

function timeMin<I>(input: I, run: (input: I) => unknown, reps: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < reps; i++) best = Math.min(best, cpuMs(input, run));
  return best;
}

function measure<I>(
  n: number,
  small: I,
  make: (n: number) => I,
  run: (input: I) => unknown,
  o: { factor: number; reps: number; maxMs: number },
): LinearResult {
  run(small);
  const large = make(n * o.factor);
  const warm = cpuMs(large, run); // warm-up at the larger size too (allocation sizes differ)
  const [smallMs, largeMs] = warm > o.maxMs ? [cpuMs(small, run), warm] : timeBoth(small, large, run, o);
  // Floor the divisor at 0.05 ms: a sub-resolution small run must not make the ratio explode.
  return { n, smallMs, largeMs, ratio: largeMs / Math.max(smallMs, 0.05) };
}

/** Measures run() on inputs of size n and n * factor; throws NotLinearError when the time grows
 *  more than maxRatio times. Returns the measured figures (for logging). */
export function assertLinear<I>(
  name: string,
  make: (n: number) => I,
  run: (input: I) => unknown,
  options: LinearOptions,
): LinearResult {
  const factor = options.factor ?? 8;
  const maxRatio = options.maxRatio ?? 24;
  const reps = options.reps ?? 5;
  const minMs = options.minMs ?? 5;
  const maxMs = options.maxMs ?? 2000;
  const maxSize = options.maxSize ?? 1_000_000;
  const repeat = options.repeat ?? 1;
  if (repeat > 1) {
    const once = run;
    run = (input) => {
      for (let i = 0; i < repeat; i++) once(input);
    };
  }
  let n = options.n;
  let small = make(n);
  run(small); // warm-up: compile and optimise before timing
  let smallMs = timeMin(small, run, 2);
  for (let i = 0; i < 10 && smallMs < minMs && n * 2 * factor <= maxSize; i++) {
    n *= 2;
    small = make(n);
    run(small);
    smallMs = timeMin(small, run, 2);
  }
  // Still under minMs at the largest size allowed: time several runs as one, or a 1 ms
  // measurement's noise (a GC pause) alone can cross the bar.
  if (smallMs < minMs) {
    const times = Math.min(32, Math.ceil(minMs / Math.max(smallMs, 0.05)));
    const single = run;
    run = (input) => {
      for (let i = 0; i < times; i++) single(input);
    };
    smallMs = timeMin(small, run, 2);
  }
  let result = measure(n, small, make, run, { factor, reps, maxMs });
  // A ratio over the bar is confirmed at twice the size (within maxSize) before it counts: the
  // step a run takes when its garbage outgrows V8's young generation can fall between n and
  // n * factor once, but super-linear code misses the bar again (by more).
  if (result.ratio > maxRatio && result.largeMs <= maxMs) {
    const m = n * 2 * factor <= maxSize ? n * 2 : n;
    result = measure(m, make(m), make, run, { factor, reps, maxMs });
  }
  const figures = `n=${result.n}: ${result.smallMs.toFixed(2)} ms, n*${factor}: ${result.largeMs.toFixed(2)} ms, ratio ${result.ratio.toFixed(1)}`;
  if (result.ratio > maxRatio) {
    throw new NotLinearError(`${name}: time grows super-linearly (${figures}, allowed ${maxRatio})`, result);
  }
  if (result.largeMs > maxMs) {
    throw new NotLinearError(`${name}: too slow (${figures}, budget ${maxMs} ms)`, result);
  }
  return result;
}
