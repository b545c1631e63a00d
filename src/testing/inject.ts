// Test-only fault injection: swap one entry of a protocol's command table (the very table the
// server dispatches through; the harness runs the server in this process) and put it back later.
// Nothing here ships a route or a switch in the server.

/** Sets `table[key]` to what `make` builds from the original entry; returns the restore. */
export function replaceCommand<T>(
  table: Readonly<Record<string, T>>,
  key: string,
  make: (orig: T) => T,
): () => void {
  const t = table as Record<string, T>;
  const orig = t[key];
  if (orig === undefined) throw new Error(`no command ${key} to replace`);
  t[key] = make(orig);
  return () => {
    t[key] = orig;
  };
}

/** True the first time it is called, false after: for a fault that must hit one call only. */
export function once(): () => boolean {
  let fired = false;
  return () => {
    if (fired) return false;
    fired = true;
    return true;
  };
}
