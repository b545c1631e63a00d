// CPU time, not wall-clock time, for tests that bound how much work something does ("refused at
// once", "stays linear"): on a loaded 2-core CI machine a process waits for a core for tens of
// milliseconds at a time, which wall-clock time counts and CPU time does not. process.cpuUsage()
// covers the whole process (libuv's thread pool too, where argon2 and zlib run), so work moved off
// the main thread is still counted.

/** CPU milliseconds (user + system, whole process) spent while `fn` ran, with its result. */
export async function cpuTimed<T>(fn: () => T | Promise<T>): Promise<{ value: T; cpuMs: number }> {
  const start = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(start);
  return { value, cpuMs: (used.user + used.system) / 1000 };
}

/** CPU milliseconds (user + system, whole process) that the synchronous `fn` took. */
export function cpuMsOf(fn: () => unknown): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}
