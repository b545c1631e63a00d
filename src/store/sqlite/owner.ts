// Which process owns the data directory. The orphan-file sweep at open is only safe when no other
// live process (the server, while the CLI opens the store) may be writing blob files right now.
import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Ownership {
  owner: boolean;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function claimOwnership(dataDir: string): Ownership {
  const file = join(dataDir, "store.pid");
  let other: number | null = null;
  try {
    const pid = Number.parseInt(readFileSync(file, "utf8").trim(), 10);
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) other = pid;
  } catch {
    // No pid file: nobody owns the directory.
  }
  if (other !== null) return { owner: false, release: () => {} };
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
