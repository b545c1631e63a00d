// The supervisor: runs a target's fuzz loop (worker.ts) in a worker thread and watches it. A
// crash or a slow execution is reported by the loop itself; an execution that never returns
// (a synchronous endless loop) is caught here: when the same execution has run for hangMs, the
// thread is terminated and the input it was running is read from shared memory. A thread that
// runs out of its heap limit is reported the same way. Every finding is written to artifactDir.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { SHARED_HEADER, type WorkerInput, type WorkerMessage } from "./messages.js";
import type { FuzzTarget } from "./target.js";

export const REPO_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

export interface FuzzOptions {
  /** Module that exports the target, and the export's name. */
  targetUrl: string;
  exportName: string;
  /** Seed inputs (the corpus directory's files). */
  seeds: Buffer[];
  seed?: number;
  maxExecs?: number;
  seconds?: number;
  /** An execution slower than this (measured three times) is a finding. */
  slowMs?: number;
  /** Mutants run per coverage take (1: every execution measured alone). */
  batch?: number;
  /** An execution still running after this long is a hang: the thread is stopped. */
  hangMs?: number;
  /** Heap limit of the fuzzing thread, MiB. */
  heapMb?: number;
  /** Where findings are written; none written when null. */
  artifactDir: string | null;
  /** Called with each input that found new coverage (to save a growing corpus). */
  onNew?: (input: Buffer) => void;
  onStats?: (s: { execs: number; corpus: number; features: number }) => void;
}

export interface Finding {
  type: "crash" | "slow" | "hang" | "oom";
  input: Buffer;
  message: string;
  file: string | null;
}

export interface FuzzResult {
  execs: number;
  corpus: number;
  features: number;
  ms: number;
  finding: Finding | null;
}

const loader = new URL("../../scripts/ts-loader/register.mjs", import.meta.url).href;
const workerUrl = new URL("./worker.ts", import.meta.url).href;
// Worker threads do not inherit the TypeScript loader: the thread registers it, then loads the loop.
const BOOT = `import(${JSON.stringify(loader)}).then(() => import(${JSON.stringify(workerUrl)}));`;

export function readCorpus(dir: string): Buffer[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names.map((n) => readFileSync(join(dir, n)));
}

export async function fuzz(opts: FuzzOptions): Promise<FuzzResult> {
  const mod = (await import(opts.targetUrl)) as Record<string, FuzzTarget>;
  const target = mod[opts.exportName];
  if (!target) throw new Error(`no fuzz target ${opts.exportName} in ${opts.targetUrl}`);
  const hangMs = opts.hangMs ?? 5000;
  const shared = new SharedArrayBuffer(SHARED_HEADER + target.maxLength);
  const header = new Int32Array(shared, 0, 3);
  const data: WorkerInput = {
    targetUrl: opts.targetUrl,
    exportName: opts.exportName,
    root: REPO_ROOT,
    seeds: opts.seeds,
    seed: opts.seed ?? 1,
    maxExecs: opts.maxExecs ?? Number.POSITIVE_INFINITY,
    seconds: opts.seconds ?? 10,
    slowMs: opts.slowMs ?? 1000,
    batch: opts.batch ?? 16,
    shared,
    reportNew: opts.onNew !== undefined,
  };
  const worker = new Worker(BOOT, {
    eval: true,
    workerData: data,
    resourceLimits: { maxOldGenerationSizeMb: opts.heapMb ?? 512 },
  });
  const started = performance.now();
  const sharedInput = () => Buffer.from(new Uint8Array(shared, SHARED_HEADER, Atomics.load(header, 2)));

  return await new Promise<FuzzResult>((resolveRun, rejectRun) => {
    let last = { execs: 0, corpus: 0, features: 0 };
    let settled = false;
    const finish = (r: FuzzResult | Error) => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      void worker.terminate();
      if (r instanceof Error) rejectRun(r);
      else resolveRun(r);
    };
    const found = (f: Omit<Finding, "file">) => {
      const file = opts.artifactDir === null ? null : writeArtifact(opts.artifactDir, target.name, f);
      finish({ ...last, ms: performance.now() - started, finding: { ...f, file } });
    };
    // The watchdog: one execution number seen running for longer than hangMs is a hang.
    let seenSeq = -1;
    let seenAt = 0;
    const watchdog = setInterval(() => {
      const seq = Atomics.load(header, 0);
      if (Atomics.load(header, 1) !== 1 || seq !== seenSeq) {
        seenSeq = seq;
        seenAt = performance.now();
        return;
      }
      if (performance.now() - seenAt > hangMs)
        found({
          type: "hang",
          input: sharedInput(),
          message: `one execution ran for more than ${hangMs} ms`,
        });
    }, 50);
    worker.on("message", (m: WorkerMessage) => {
      if (m.kind === "stats") {
        last = { execs: m.execs, corpus: m.corpus, features: m.features };
        opts.onStats?.(last);
      } else if (m.kind === "new") opts.onNew?.(Buffer.from(m.input));
      else if (m.kind === "finding") {
        last = { ...last, execs: m.execs };
        found({ type: m.type, input: Buffer.from(m.input), message: m.message });
      } else finish({ execs: m.execs, corpus: m.corpus, features: m.features, ms: m.ms, finding: null });
    });
    worker.on("error", (e: Error & { code?: string }) => {
      if (e.code === "ERR_WORKER_OUT_OF_MEMORY")
        found({ type: "oom", input: sharedInput(), message: e.message });
      else finish(e);
    });
    worker.on("exit", (code) => finish(new Error(`fuzz worker exited (${code}) before it finished`)));
  });
}

function writeArtifact(dir: string, target: string, f: Omit<Finding, "file">): string {
  mkdirSync(dir, { recursive: true });
  const hash = createHash("sha1").update(f.input).digest("hex").slice(0, 16);
  const file = join(dir, `${target}-${f.type}-${hash}`);
  writeFileSync(file, f.input);
  writeFileSync(`${file}.txt`, `${f.message}\n`);
  return file;
}
