// Complexity checks for code that runs on hostile input (issue 18): a parser or transform
// reachable from the network must take time linear in its input, since one super-linear step
// on one message or command blocks the single event loop for every user.
//
// assertLinear(name, make, run, options) times run(make(n)) and run(make(n * factor)) and fails
// when the larger input takes more than maxRatio times as long. With factor 8 linear code grows
// ~8x and quadratic code ~64x, so the default maxRatio of 16 tells them apart with room for the
// noise of a shared 2-core machine (the issue asks for ~10x; GC and cache effects push linear
// code past 10x now and then), without depending on absolute speed:
//
//   import { assertLinear } from "../testing/complexity.js";
//   test("LIST pattern of many %", () =>
//     assertLinear("list %", (n) => "%".repeat(n), (p) => matchPattern(p, "Archive/2024"), { n: 2000 }));
//
// How to choose n: large enough that run(make(n)) takes at least a millisecond or so (timer
// resolution and call overhead would otherwise dominate; a too-small n is raised automatically,
// see minMs), and small enough that the n * factor run stays within ~50-300 ms on linear code.
// make() is called outside the timing. Each size is run `reps` times after a warm-up run and the
// minimum is kept: the minimum is the run least disturbed by other processes and by GC.
//
// A failure names the input, both times and the ratio. A test must fail on the super-linear code it
// guards against: check that by running it against the old code once (quadratic code usually
// misses the bar by a wide margin: 64x for factor 8).

export interface LinearOptions {
  /** The smaller input size (meaning is up to make()). */
  n: number;
  /** The larger input is n * factor. Default 8. */
  factor?: number;
  /** Largest allowed time(n * factor) / time(n). Default 16 (linear ~8, quadratic ~64). */
  maxRatio?: number;
  /** Timed runs per size after one warm-up run; the minimum counts. Default 3. */
  reps?: number;
  /** If the small run takes less than this, n is doubled (at most 10 times) so the timing means
   *  something. Default 2 ms. */
  minMs?: number;
  /** A budget for the large run alone, as a safety net: fail when it exceeds this many ms even
   *  if the ratio looks fine. Default 5000 (large, since the machine is shared). */
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

function timeMin<I>(input: I, run: (input: I) => unknown, reps: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    run(input);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms < best) best = ms;
  }
  return best;
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
  const maxRatio = options.maxRatio ?? 16;
  const reps = options.reps ?? 3;
  const minMs = options.minMs ?? 2;
  const maxMs = options.maxMs ?? 5000;
  let n = options.n;
  let small = make(n);
  run(small); // warm-up: compile and optimise before timing
  let smallMs = timeMin(small, run, reps);
  for (let i = 0; i < 10 && smallMs < minMs; i++) {
    n *= 2;
    small = make(n);
    run(small);
    smallMs = timeMin(small, run, reps);
  }
  const large = make(n * factor);
  run(large); // warm-up at the larger size too (allocation sizes differ)
  const largeMs = timeMin(large, run, reps);
  // Floor the divisor at 0.05 ms: a sub-resolution small run must not make the ratio explode.
  const ratio = largeMs / Math.max(smallMs, 0.05);
  const result = { n, smallMs, largeMs, ratio };
  const figures = `n=${n}: ${smallMs.toFixed(2)} ms, n*${factor}: ${largeMs.toFixed(2)} ms, ratio ${ratio.toFixed(1)}`;
  if (ratio > maxRatio) {
    throw new NotLinearError(`${name}: time grows super-linearly (${figures}, allowed ${maxRatio})`, result);
  }
  if (largeMs > maxMs) {
    throw new NotLinearError(`${name}: too slow (${figures}, budget ${maxMs} ms)`, result);
  }
  return result;
}
