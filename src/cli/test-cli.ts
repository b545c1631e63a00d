// The `yubin` command as the CLI tests run it: a real child process (bin/yubin.js), its exit code
// and both outputs. Synchronous for tests that need nothing else of this process meanwhile;
// asynchronous for tests whose child asks a server (DNS, the store's owner) in this process.
import { spawn, spawnSync } from "node:child_process";
import { resolve } from "node:path";

export const YUBIN_BIN = resolve(import.meta.dirname, "../../bin/yubin.js");

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

/** `yubin --config <config> ...args` to the end, with `input` on stdin. */
export function yubinSync(config: string, args: string[], opts: { input?: string; timeoutMs?: number } = {}) {
  const r = spawnSync(process.execPath, [YUBIN_BIN, "--config", config, ...args], {
    input: opts.input ?? "",
    encoding: "utf8",
    // A bound for a stuck command, not a speed requirement: a loaded 2-core machine (load 30+)
    // has taken 45 s for a start that a quiet one makes in 2 s.
    timeout: opts.timeoutMs ?? 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Any command without blocking this process; killed (SIGKILL) after timeoutMs. */
export function runCommand(
  cmd: string,
  args: string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((res, rej) => {
    const p = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => p.kill("SIGKILL"), opts.timeoutMs ?? 150_000);
    p.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    p.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    p.on("error", rej);
    p.on("close", (code) => {
      clearTimeout(timer);
      res({ code, out, err });
    });
    p.stdin.end(opts.input ?? "");
  });
}
