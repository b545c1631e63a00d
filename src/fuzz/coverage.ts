// Coverage feedback from V8's own block coverage (node:inspector, Profiler.*PreciseCoverage with
// callCount and detailed): after each execution the fuzzer takes the block counts of the target's
// source files (taking them resets them to zero, so each take is one execution's) and turns every
// reported range into a feature: (script, range, hit-count bucket), AFL's buckets. V8 reports a
// function's whole range and then only the blocks whose count differs from their parent's, so an
// unexecuted block shows as a range with count 0: that range moving deeper into a chain of
// conditions is the progress the fuzzer must see, and count-0 ranges are features too. An input
// is kept when it produces a feature never seen. No instrumentation or native module is needed.
import { Session } from "node:inspector";
import { pathToFileURL } from "node:url";

// AFL's hit-count buckets: 1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+.
function bucket(count: number): number {
  if (count <= 3) return count;
  if (count < 8) return 4;
  if (count < 16) return 5;
  if (count < 32) return 6;
  if (count < 128) return 7;
  return 8;
}

interface Range {
  startOffset: number;
  endOffset: number;
  count: number;
}
interface ScriptCoverage {
  scriptId: string;
  url: string;
  functions: { ranges: Range[] }[];
}

export class Coverage {
  private readonly session = new Session();
  private readonly base: string;
  private prefixes: string[] = [];
  /** scriptId → small index, or -1 for scripts outside the target. */
  private readonly scripts = new Map<string, number>();

  constructor(root: string) {
    this.base = pathToFileURL(root).href.replace(/\/?$/, "/");
    this.session.connect();
    this.post("Profiler.enable");
    this.post("Profiler.startPreciseCoverage", { callCount: true, detailed: true });
  }

  /** Only blocks of these source paths (relative to the root) count. */
  restrictTo(paths: readonly string[]): void {
    this.prefixes = paths.map((p) => this.base + p);
    this.scripts.clear();
  }

  /** The features of everything run since the last call (the counts are reset by taking them);
   *  without buckets, only whether each range ran. */
  take(into: number[], buckets = true): number[] {
    into.length = 0;
    const { result } = this.post("Profiler.takePreciseCoverage") as { result: ScriptCoverage[] };
    for (const script of result) {
      let idx = this.scripts.get(script.scriptId);
      if (idx === undefined) {
        idx = this.prefixes.some((p) => script.url.startsWith(p)) ? this.scripts.size : -1;
        this.scripts.set(script.scriptId, idx);
      }
      if (idx < 0) continue;
      for (const fn of script.functions)
        for (const r of fn.ranges)
          into.push(
            ((idx * 0x1000000 + r.startOffset) * 0x1000 + ((r.endOffset - r.startOffset) & 0xfff)) * 16 +
              (buckets ? bucket(r.count) : Math.min(r.count, 1)),
          );
    }
    return into;
  }

  close(): void {
    this.session.disconnect();
  }

  /** Session.post on the current thread answers synchronously; checked, not assumed. */
  private post(method: string, params?: object): unknown {
    let out: unknown;
    let done = false;
    this.session.post(method, params ?? {}, (err, res) => {
      if (err) throw err;
      out = res;
      done = true;
    });
    if (!done) throw new Error(`inspector ${method} did not answer synchronously`);
    return out;
  }
}
