// Which process owns the data directory. The orphan-file sweep at open is only safe when no other
// live process (the server, while the CLI opens the store) may be writing blob files right now.
import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Ownership {
  owner: boolean;
  release(): void;
}

/** Whether a process with this pid exists (EPERM: it does, owned by another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The live process that owns the data directory's store, if any; this one only with `orSelf`. */
export function storeOwner(dataDir: string, opts: { orSelf?: boolean } = {}): number | null {
  try {
    const pid = Number.parseInt(readFileSync(join(dataDir, "store.pid"), "utf8").trim(), 10);
    if (!Number.isSafeInteger(pid) || pid <= 0) return null;
    if (pid === process.pid) return opts.orSelf ? pid : null;
    return processAlive(pid) ? pid : null;
  } catch {
    return null; // no pid file: nobody owns the directory
  }
}

/** `force`: take it even from a live owner (the supervisor of `serve --workers`, which must hold
 *  it while any worker may write, so that no worker, restarted after that owner ended, sweeps; the
 *  other owner swept at its own open already and its release leaves our pid in place). */
export function claimOwnership(dataDir: string, opts: { force?: boolean } = {}): Ownership {
  const file = join(dataDir, "store.pid");
  if (!opts.force && storeOwner(dataDir) !== null) return { owner: false, release: () => {} };
  writeFileSync(file, `${process.pid}\n`);
  return {
    owner: true,
    release: () => {
      try {
        if (readFileSync(file, "utf8").trim() === String(process.pid)) unlinkSync(file);
      } catch {
        // Already gone.
      }
    },
  };
}
