// Runs `yubin serve` as a child process (for kill -9 and signal tests): writes a config with
// ephemeral ports, reads the bound ports from the JSON "listening" log lines.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "smol-toml";
import type { Protocol, TlsMode } from "../config/schema.js";

export interface ServerProcess {
  pid: number;
  dataDir: string;
  configPath: string;
  ports: Map<string, number>; // "smtp/none", "submission/implicit", "pop3/starttls", ...
  output: () => string;
  child: ChildProcess;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  stop(): Promise<void>; // SIGTERM, wait, remove the data dir (unless keepData)
}

export interface ServerProcessOptions {
  dataDir?: string; // reuse (restart after a crash); default a new temp dir
  config?: Record<string, unknown>; // extra TOML sections
  listeners?: { protocol: Protocol; tls: TlsMode; port?: number }[];
  keepData?: boolean;
  /** How long the start may take: by default 150 s, a bound for a stuck start rather than a speed
   *  requirement. Under load (two test files at once beside other work on 2 cores), with the
   *  loader's compile cache cold as on a fresh CI machine, a start has taken over 20 s; with two
   *  clean-clone CI runs at once (load 30-38) a start printed nothing in 60 s, and a start that
   *  only fails to reach PostgreSQL took 45 s (2.3 s quiet). */
  timeoutMs?: number;
  /** [log] level: "info" by default; "debug" logs every connection (a test that needs volume). */
  logLevel?: "debug" | "info";
  /** Further arguments of `yubin serve`, e.g. ["--workers", "2"]. */
  args?: string[];
  /** Node's own options before the script, e.g. ["--cpu-prof", "--cpu-prof-dir", dir] (a bench's
   *  profile of the server; Node refuses --cpu-prof in NODE_OPTIONS). */
  nodeArgs?: string[];
}

const bin = resolve(import.meta.dirname, "../../bin/yubin.js");

export async function startServerProcess(opts: ServerProcessOptions = {}): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), "yubin-proc-")));
  const configPath = join(dataDir, "yubin.toml");
  const listeners = (opts.listeners ?? [{ protocol: "smtp", tls: "none" }]).map((l) => ({
    protocol: l.protocol,
    address: "127.0.0.1",
    port: l.port ?? 0,
    tls: l.tls,
  }));
  const doc = {
    ...opts.config,
    server: {
      hostname: "mail.example.test",
      dataDir,
      shutdownGraceSec: 2,
      ...((opts.config?.server as object) ?? {}),
    },
    // As in harness.ts: no real DNS (and no DNS cache), no delivery engine and no inbound SPF/DKIM/DMARC unless asked.
    dns: { servers: ["127.0.0.1:1"], cacheSec: 0, ...((opts.config?.dns as object) ?? {}) },
    outbound: { enabled: false, ...((opts.config?.outbound as object) ?? {}) },
    mailauth: { verifyInbound: false, ...((opts.config?.mailauth as object) ?? {}) },
    log: { format: "json", level: opts.logLevel ?? "info" },
    listeners,
  };
  await writeFile(configPath, stringify(doc));
  const child = spawn(
    process.execPath,
    [...(opts.nodeArgs ?? []), bin, "--config", configPath, "serve", ...(opts.args ?? [])],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  const ports = new Map<string, number>();
  let ready = false;
  const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
  const started = new Promise<void>((resolveStart, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start in time:\n${out}`)),
      opts.timeoutMs ?? 150_000,
    );
    let pending = ""; // the unfinished last line
    const onData = (d: Buffer) => {
      const text = d.toString();
      out += text;
      if (ready) return;
      // Parse each complete line once: the server logs a line per message under load.
      const lines = (pending + text).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.startsWith("{")) continue;
        try {
          const j = JSON.parse(line) as { msg?: string; protocol?: string; tls?: string; port?: number };
          if (j.msg === "listening" && j.port) ports.set(`${j.protocol}/${j.tls}`, j.port);
          if (j.msg === "ready") ready = true;
        } catch {
          // not one of our JSON lines
        }
      }
      if (ready) {
        clearTimeout(timer);
        resolveStart();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (d: Buffer) => {
      out += d.toString();
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  try {
    await started;
  } catch (e) {
    // A start that failed leaves no server behind: a child still running would keep the test
    // file's event loop alive (through its pipes) until the runner's 120 s timeout, and hold the
    // data directory and its ports.
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
    if (!opts.keepData && opts.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    throw e;
  }
  const kill = async (signal: NodeJS.Signals = "SIGKILL") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return {
    pid: child.pid!,
    dataDir,
    configPath,
    ports,
    child,
    output: () => out,
    kill,
    async stop() {
      await kill("SIGTERM");
      if (!opts.keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
