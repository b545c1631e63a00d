// What the supervisor (fuzzer.ts) and the fuzz loop (worker.ts) pass each other.

export interface WorkerInput {
  targetUrl: string;
  exportName: string;
  root: string;
  seeds: Buffer[];
  seed: number;
  maxExecs: number;
  seconds: number;
  slowMs: number;
  /** Mutants run per coverage take. */
  batch: number;
  shared: SharedArrayBuffer;
  reportNew: boolean;
}

export type WorkerMessage =
  | { kind: "stats"; execs: number; corpus: number; features: number }
  | { kind: "new"; input: Uint8Array }
  | { kind: "finding"; type: "crash" | "slow"; input: Uint8Array; message: string; ms: number; execs: number }
  | { kind: "done"; execs: number; corpus: number; features: number; ms: number };

/** Shared memory layout: Int32 [0] execution number, [1] 1 while the target runs, [2] input length; bytes from 16. */
export const SHARED_HEADER = 16;
