// A private HAProxy for tests (issue 17: a real load balancer in front of Yubin): Debian's
// haproxy in TCP mode, its own config in a temp dir, one frontend per route on an ephemeral
// 127.0.0.1 port relaying to a Yubin port with a PROXY header (send-proxy = v1, send-proxy-v2).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, stopChild } from "./net.js";
import { commandSkip } from "./requires.js";

export interface HaproxyRoute {
  /** The Yubin port behind this frontend (on 127.0.0.1). */
  target: number;
  proxy: "v1" | "v2";
}

export interface PrivateHaproxy {
  /** The frontend port of each route, in the order given. */
  ports: number[];
  stop(): Promise<void>;
}

export function haproxySkip(): false | string {
  return commandSkip("haproxy", "haproxy");
}

// timeoutMs bounds a stuck start; it is not a speed requirement (a loaded 2-core CI machine is slow).
export async function startHaproxy(routes: HaproxyRoute[], timeoutMs = 60_000): Promise<PrivateHaproxy> {
  const dir = await mkdtemp(join(tmpdir(), "yubin-haproxy-"));
  const ports: number[] = [];
  for (const _ of routes) ports.push(await freePort());
  const sections = routes.map((r, i) =>
    [
      `frontend f${i}`,
      `  bind 127.0.0.1:${ports[i]}`,
      `  default_backend b${i}`,
      `backend b${i}`,
      `  server s${i} 127.0.0.1:${r.target} ${r.proxy === "v1" ? "send-proxy" : "send-proxy-v2"}`,
    ].join("\n"),
  );
  const cfg = [
    "global",
    "  maxconn 256",
    "defaults",
    "  mode tcp",
    "  timeout connect 5s",
    "  timeout client 60s",
    "  timeout server 60s",
    ...sections,
    "",
  ].join("\n");
  const file = join(dir, "haproxy.cfg");
  await writeFile(file, cfg);
  // -db: foreground, no daemon; -W would fork a master we would then have to find.
  const child: ChildProcess = spawn("haproxy", ["-db", "-f", file], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString();
  });
  try {
    for (const p of ports) await waitListening(p, child, timeoutMs);
  } catch (e) {
    await stopChild(child, 2000);
    await rm(dir, { recursive: true, force: true });
    throw new Error(`${(e as Error).message}: ${stderr}`);
  }
  return {
    ports,
    async stop() {
      await stopChild(child, 5000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitListening(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error("haproxy exited");
    const up = await new Promise<boolean>((resolve) => {
      const s = connect({ host: "127.0.0.1", port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`haproxy not listening on ${port} within ${timeoutMs} ms`);
}
