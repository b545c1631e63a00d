// Tests' own clamd: a signature database written here (one signature, for the EICAR test file),
// no freshclam and no Internet; started in the foreground as a child, stopped by its PID.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scan } from "./clamd.js";

/** The EICAR anti-virus test file (eicar.org): every scanner reports it, it does nothing. */
export const eicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
/** The name clamd gives it with our database (.ndb signatures from a non-official db). */
export const eicarName = "Yubin-Test-EICAR.UNOFFICIAL";

export interface TestClamd {
  socket: string;
  stop(): Promise<void>;
}

export async function startTestClamd(): Promise<TestClamd> {
  const dir = await mkdtemp(join(tmpdir(), "yubin-clamd-"));
  const socket = join(dir, "clamd.sock");
  await writeFile(join(dir, "test.ndb"), `Yubin-Test-EICAR:0:*:${Buffer.from(eicar).toString("hex")}\n`);
  await writeFile(
    join(dir, "clamd.conf"),
    [
      `DatabaseDirectory ${dir}`,
      `LocalSocket ${socket}`,
      "Foreground yes",
      `LogFile ${join(dir, "clamd.log")}`,
      `PidFile ${join(dir, "clamd.pid")}`,
      "User root",
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn("clamd", ["-c", join(dir, "clamd.conf")], { stdio: "ignore" });
  let exited = false;
  child.on("exit", () => {
    exited = true;
  });
  const stop = async () => {
    if (!exited && child.pid !== undefined) {
      const gone = new Promise((r) => child.once("exit", r));
      process.kill(child.pid, "SIGTERM");
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
    }
    await rm(dir, { recursive: true, force: true });
  };
  // Bounded wait: clamd loads one signature in ~3 s here; 60 s covers a loaded CI machine.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !exited) {
    if (existsSync(socket)) {
      const r = await scan(Buffer.from("ping"), { address: socket, timeoutMs: 2000, maxBytes: 1024 });
      if (r.kind === "clean") return { socket, stop };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(exited ? "clamd exited at start" : "clamd did not come up within 60 s");
}
