// The sieve stage's scripts: compiled once and kept in an LRU keyed by their text (so a user's
// active script, shared by every message they get, is parsed once however many deliveries there
// are, and an edited script is a new key: nothing to invalidate), and the admin's global script
// files ([sieve] globalBefore / globalAfter, include :global from globalDir), read once and read
// again only when their mtime or size changes.
import { readFile, stat } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { compileSieve } from "../sieve/index.js";
import { type CompiledScript, SieveCompileError } from "../sieve/types.js";

/** A script's text compiled, or why it could not be. */
export type Compiled = { ok: true; script: CompiledScript } | { ok: false; error: SieveCompileError };

/** LRU of compiled scripts by text; `entries` 0 keeps none (every run compiles). */
export class CompiledCache {
  private readonly map = new Map<string, Compiled>();
  constructor(
    private readonly entries: number,
    private readonly maxScriptBytes: number,
  ) {}

  get(source: string): Compiled {
    const hit = this.map.get(source);
    if (hit) {
      // Map keeps insertion order: re-inserting makes this the most recently used.
      this.map.delete(source);
      this.map.set(source, hit);
      return hit;
    }
    const c = compile(source, this.maxScriptBytes);
    if (this.entries > 0) {
      this.map.set(source, c);
      while (this.map.size > this.entries) {
        const oldest = this.map.keys().next();
        if (oldest.done) break;
        this.map.delete(oldest.value);
      }
    }
    return c;
  }

  get size(): number {
    return this.map.size;
  }
}

function compile(source: string, maxScriptBytes: number): Compiled {
  try {
    return { ok: true, script: compileSieve(source, { maxScriptBytes }) };
  } catch (error) {
    if (error instanceof SieveCompileError) return { ok: false, error };
    // Anything else is the interpreter's bug: reported as a compile failure of this script (the
    // message is kept), never a failed delivery.
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: new SieveCompileError([{ line: 1, column: 1, message }]) };
  }
}

/** A file's text, read again only when its mtime or size changed; null when it does not exist. */
export class WatchedFiles {
  private readonly seen = new Map<string, { mtimeMs: number; size: number; text: string }>();

  async read(path: string): Promise<string | null> {
    let st: Awaited<ReturnType<typeof stat>>;
    try {
      st = await stat(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        this.seen.delete(path);
        return null;
      }
      throw error;
    }
    const old = this.seen.get(path);
    if (old && old.mtimeMs === st.mtimeMs && old.size === st.size) return old.text;
    const text = await readFile(path, "utf8");
    this.seen.set(path, { mtimeMs: st.mtimeMs, size: st.size, text });
    return text;
  }
}

/** RFC 6609 include :global "name": dir/name.sieve. A name that could leave the directory (a
 *  path separator, "..", a NUL, a leading dot) names nothing. */
export function globalScriptPath(dir: string, name: string): string | null {
  if (name === "" || name.length > 128) return null;
  if (/[/\\\0]/.test(name) || name.startsWith(".")) return null;
  return join(dir, `${name}.sieve`);
}

/** The [sieve] globalDir, or dataDir/sieve-global when empty; a relative one under dataDir. */
export function globalDirOf(configured: string, dataDir: string): string {
  if (configured === "") return join(dataDir, "sieve-global");
  return isAbsolute(configured) ? configured : join(dataDir, configured);
}
