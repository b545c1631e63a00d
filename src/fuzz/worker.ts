// The fuzz loop, run in a worker thread so that the supervisor (fuzzer.ts) can stop a target stuck
// in a synchronous loop: before each execution the input is copied into shared memory, where the
// supervisor finds it when it has to terminate the thread.
//
// Taking coverage costs about 2 ms (an inspector round trip and its JSON) against tens of
// microseconds for one execution of a parser, so mutants run in batches: one take for the whole
// batch, and only a batch that shows something new (at batch level) is run again one input at a
// time to find which inputs to keep. Batch features leave out hit counts (a batch's counts are
// sums over different inputs, new at almost every batch); single executions keep them. Figures in
// docs/ARCHITECTURE.md, "Fuzzing".
import { parentPort, workerData } from "node:worker_threads";
import { Coverage } from "./coverage.js";
import { SHARED_HEADER, type WorkerInput, type WorkerMessage } from "./messages.js";
import { mutate } from "./mutate.js";
import { Rng } from "./rng.js";
import type { FuzzTarget } from "./target.js";

class Found extends Error {}

async function main(w: WorkerInput): Promise<void> {
  // Coverage starts before the target is loaded: V8 gives block counts only to functions
  // compiled after it started.
  const coverage = new Coverage(w.root);
  const mod = (await import(w.targetUrl)) as Record<string, FuzzTarget>;
  const target = mod[w.exportName];
  if (!target) throw new Error(`no fuzz target ${w.exportName} in ${w.targetUrl}`);
  coverage.restrictTo(target.coverage);
  const header = new Int32Array(w.shared, 0, 3);
  const bytes = new Uint8Array(w.shared, SHARED_HEADER);
  const rng = new Rng(w.seed);
  const dictionary = target.dictionary.map((t) => Buffer.from(t, "latin1"));
  const seen = new Set<number>(); // features of single executions
  const batchSeen = new Set<number>(); // features of whole batches
  const corpus: Buffer[] = [];
  const features: number[] = [];
  const post = (m: WorkerMessage) => parentPort!.postMessage(m);
  const started = performance.now();
  let execs = 0;

  /** One execution; posts a finding and throws Found on a crash or a slow input. */
  const execute = (input: Buffer, recheck = true): number => {
    bytes.set(input);
    Atomics.store(header, 2, input.length);
    Atomics.add(header, 0, 1);
    Atomics.store(header, 1, 1);
    const t0 = performance.now();
    let error: unknown = null;
    try {
      target.run(input);
    } catch (e) {
      error = e ?? new Error("thrown null");
    }
    const ms = performance.now() - t0;
    Atomics.store(header, 1, 0);
    execs++;
    if (error !== null) {
      const message = error instanceof Error ? (error.stack ?? String(error)) : String(error);
      post({ kind: "finding", type: "crash", input, message, ms, execs });
      throw new Found();
    }
    if (recheck && ms > w.slowMs) {
      // Measured again twice, so that a GC pause or a busy machine is not reported as a bug.
      const again = Math.min(ms, execute(input, false), execute(input, false));
      if (again > w.slowMs) {
        post({
          kind: "finding",
          type: "slow",
          input,
          message: `one execution took ${again.toFixed(0)} ms`,
          ms: again,
          execs,
        });
        throw new Found();
      }
    }
    return ms;
  };

  /** Adds the features taken now to `set`; true when one was new. */
  const novel = (set: Set<number>, buckets: boolean): boolean => {
    let fresh = false;
    for (const f of coverage.take(features, buckets))
      if (!set.has(f)) {
        set.add(f);
        fresh = true;
      }
    return fresh;
  };

  const single = (input: Buffer, keep: boolean): void => {
    execute(input);
    const fresh = novel(seen, true);
    if (fresh || keep) corpus.push(input);
    if (fresh && !keep && w.reportNew) post({ kind: "new", input });
  };

  try {
    coverage.take(features); // drop whatever loading the target ran
    for (const s of w.seeds.length > 0 ? w.seeds : [Buffer.alloc(0)])
      single(Buffer.from(s.subarray(0, target.maxLength)), true);
    const ctx = {
      rng,
      dictionary,
      maxLength: Math.min(target.maxLength, bytes.length),
      other: () => rng.pick(corpus),
    };
    let lastStats = started;
    const deadline = started + w.seconds * 1000;
    const batch: Buffer[] = [];
    while (execs < w.maxExecs) {
      const now = performance.now();
      if (now >= deadline) break;
      if (now - lastStats >= 1000) {
        lastStats = now;
        post({ kind: "stats", execs, corpus: corpus.length, features: seen.size });
      }
      batch.length = 0;
      for (let i = 0; i < w.batch && execs < w.maxExecs; i++) {
        const input = mutate(rng.pick(corpus), ctx);
        batch.push(input);
        execute(input);
      }
      if (novel(batchSeen, false)) for (const input of batch) single(input, false);
    }
  } catch (e) {
    if (e instanceof Found) return;
    throw e;
  }
  coverage.close();
  post({ kind: "done", execs, corpus: corpus.length, features: seen.size, ms: performance.now() - started });
}

await main(workerData as WorkerInput);
