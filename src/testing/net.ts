// Socket helpers for starting outside servers privately (Dovecot, Postfix, rspamd, SpamAssassin)
// in tests and in the :compare benchmarks.
import type { ChildProcess } from "node:child_process";
import { randomInt } from "node:crypto";
import { readFileSync } from "node:fs";
import { connect, createServer } from "node:net";

/**
 * A port nobody listens on right now, for a server that must be told its port before it starts
 * (a child process, a config file); it is closed again before that server binds it.
 *
 * Picked at random OUTSIDE the kernel's ephemeral range (ip_local_port_range), and never twice in
 * one process: a port the kernel handed out for `listen(0)` is exactly the one the kernel hands
 * out next, to any `listen(0)` or outgoing connection on the machine, and while the server under
 * test starts (a second or more for Pebble or PostgreSQL on a loaded CI machine) the other test
 * files running at the same time make hundreds of both. Outside that range only another freePort()
 * in another process can take it, one chance in about 25,000 per pick; onFreePort() retries that.
 */
export async function freePort(): Promise<number> {
  const ranges = portRanges();
  const size = ranges.reduce((n, [lo, hi]) => n + hi - lo + 1, 0);
  for (let i = 0; size > 1000 && i < 100; i++) {
    let k = randomInt(size);
    let port = 0;
    for (const [lo, hi] of ranges) {
      if (k <= hi - lo) {
        port = lo + k;
        break;
      }
      k -= hi - lo + 1;
    }
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await bindable(port)) return port;
  }
  // The ephemeral range covers (nearly) every port: take what the kernel gives.
  return kernelPort();
}

const handedOut = new Set<number>();

/** Ports above the privileged ones (and the usual service ports below 10000) that the kernel
 *  never picks by itself. */
function portRanges(): [number, number][] {
  let lo = 32768;
  let hi = 60999; // Linux's default ip_local_port_range
  try {
    const m = /^\s*(\d+)\s+(\d+)/.exec(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "latin1"));
    if (m) [lo, hi] = [Number(m[1]), Number(m[2])];
  } catch {
    // Not Linux: the default range is as good a guess as any.
  }
  const out: [number, number][] = [];
  if (lo - 1 >= 10_000) out.push([10_000, lo - 1]);
  if (hi + 1 <= 65_535) out.push([Math.max(hi + 1, 10_000), 65_535]);
  return out;
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

function kernelPort(): Promise<number> {
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
