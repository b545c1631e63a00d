// The Node options each worker starts with: the supervisor's own, and V8's tier-up budget divided
// by the number of workers.
// V8 optimises a function (TurboFan) once it has run through its interrupt budget (67,584 octets
// of bytecode executed, times 3 and more for a large function): with N workers sharing the load,
// each worker runs each function 1/N as often and reaches that budget N times later, so it spends
// N times longer in the interpreter and baseline code, in every process. Profiled (perf, IMAP mixed
// load, 2 workers, seconds 5-15 of a run): background compilation 66 and baseline code 33 samples
// per 1,000 operations, against 16 and 7 in one process. Budget/N gives each worker optimised code
// after the same wall time as one process; what V8 compiles is the same code, once per process.
// An --interrupt-budget given to the supervisor itself is kept as it is.

/** V8's own --interrupt-budget (node --v8-options, Node 20). */
export const V8_INTERRUPT_BUDGET = 67584;

export function workerExecArgv(opts: {
  execArgv: readonly string[];
  workers: number;
  /** The budget to use; 0: V8's divided by the number of workers. */
  budget: number;
}): string[] {
  const own = opts.execArgv.some((a) => a === "--interrupt-budget" || a.startsWith("--interrupt-budget="));
  if (own) return [...opts.execArgv];
  const budget = opts.budget > 0 ? opts.budget : Math.floor(V8_INTERRUPT_BUDGET / Math.max(1, opts.workers));
  if (budget === V8_INTERRUPT_BUDGET) return [...opts.execArgv];
  return [...opts.execArgv, `--interrupt-budget=${budget}`];
}
