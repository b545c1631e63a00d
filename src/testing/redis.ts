// A private Redis for tests and benchmarks (issue 17): redis-server from Debian's package on an
// ephemeral 127.0.0.1 port, no persistence, its own temp dir; never the system service.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, stopChild } from "./net.js";
import { commandSkip } from "./requires.js";
import { waitReady } from "./wait-ready.js";

export interface PrivateRedis {
  port: number;
  /** redis://127.0.0.1:PORT */
  url: string;
  pid: number;
  /** SIGKILL (the test of "Redis went away"). */
  kill(): void;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** false when redis-server is installed, else the reason to skip. */
export function redisSkip(): false | string {
  return commandSkip("redis-server", "redis-server");
}

// timeoutMs bounds a stuck start; it is not a speed requirement (a loaded 2-core CI machine is slow).
export async function startRedis(timeoutMs = 60_000): Promise<PrivateRedis> {
  const dir = await mkdtemp(join(tmpdir(), "yubin-redis-"));
  const port = await freePort();
  let child: ChildProcess | null = null;
  let stopped = false;
  const start = async () => {
    const c = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    child = c;
    stopped = false;
    await waitReady({ name: "redis-server", child: c, timeoutMs, intervalMs: 50, probe: () => pong(port) });
  };
  await start();
  const stop = async () => {
    if (stopped || !child) return;
    stopped = true;
    await stopChild(child, 5_000);
  };
  const handle: PrivateRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child?.pid ?? 0;
    },
    kill() {
      if (child?.pid && !stopped) {
        stopped = true;
        child.kill("SIGKILL");
      }
    },
    async restart() {
      await stop();
      await start();
    },
    async stop() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return handle;
}

/** Whether the server at port answers PING now. */
function pong(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.setTimeout(500, () => {
      s.destroy();
      resolve(false);
    });
    s.once("error", () => resolve(false));
    s.once("connect", () => s.write("PING\r\n"));
    s.once("data", (d) => {
      s.destroy();
      resolve(d.toString().startsWith("+PONG"));
    });
  });
}
