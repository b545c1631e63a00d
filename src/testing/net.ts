// Socket helpers for starting outside servers privately (Dovecot, Postfix, rspamd, SpamAssassin)
// in tests and in the :compare benchmarks.
import type { ChildProcess } from "node:child_process";
import { connect, createServer } from "node:net";

/** A port nobody listens on right now (closed again before the server under test binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      s.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * Starts something on a port from freePort(), with another port when that one was taken between
 * the probe and the bind (EADDRINUSE: another test file, running at the same time, got it first).
 */
export async function onFreePort<T>(
  start: (port: number) => Promise<T>,
  attempts = 5,
): Promise<{ port: number; value: T }> {
  for (let i = 1; ; i++) {
    const port = await freePort();
    try {
      return { port, value: await start(port) };
    } catch (e) {
      if (i >= attempts || (e as NodeJS.ErrnoException).code !== "EADDRINUSE") throw e;
    }
  }
}

/** The first line the server at port sends, once it starts with `prefix` ("+OK", "* OK", "220");
 *  throws when `exited()` turns true or after timeoutMs. */
export async function waitForGreeting(
  port: number,
  prefix: string,
  exited: () => boolean,
  timeoutMs: number,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`server on port ${port} exited before greeting`);
    const line = await new Promise<string | null>((resolve) => {
      const s = connect({ host: "127.0.0.1", port });
      let buf = "";
      const done = (v: string | null) => {
        s.destroy();
        resolve(v);
      };
      s.setTimeout(2000, () => done(null));
      s.on("data", (d: Buffer) => {
        buf += d.toString("latin1");
        const nl = buf.indexOf("\r\n");
        if (nl >= 0) done(buf.slice(0, nl));
      });
      s.on("error", () => done(null));
    });
    if (line?.startsWith(prefix)) return line;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server on port ${port} did not greet within ${timeoutMs} ms`);
}

/** SIGTERM (a master process stops its own children), SIGKILL after timeoutMs; waits for exit. */
export async function stopChild(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  await exited;
  clearTimeout(timer);
}
