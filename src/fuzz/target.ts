// What a fuzz target is: a synchronous function over one input that throws only when it finds a
// bug. Each target decides which errors are a normal answer to bad input (its parser's typed
// errors, caught inside run) and which are a crash (anything that escapes run).

export interface FuzzTarget {
  name: string;
  /** Source paths (relative to the repository, e.g. "src/mime/") whose blocks count as coverage. */
  coverage: readonly string[];
  /** Tokens the mutator inserts: protocol keywords, delimiters, encodings. */
  dictionary: readonly string[];
  /** Inputs are cut to this many bytes. */
  maxLength: number;
  /** Runs one input; throws only on a bug (a crash or a violated invariant). */
  run(input: Buffer): void;
}

/** A violated invariant found by a target's own check (not a parser error). */
export class InvariantError extends Error {
  override name = "InvariantError";
}

export function check(ok: boolean, what: string): void {
  if (!ok) throw new InvariantError(what);
}
