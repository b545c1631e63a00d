// The self-signed certificate a fresh data directory gets (tls.ts ensureSelfSigned) is made once
// even when several processes start at the same moment — `yubin serve --workers N` on a new
// installation runs it in every worker — so no process ever reads one process's key beside
// another's certificate ("key values mismatch" at start). A pair already left mismatched by an
// older version heals at the next start; a dead holder's lock does not stop the next start.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { ensureSelfSigned } from "./tls.js";

const TLS_MODULE = pathToFileURL(join(import.meta.dirname, "tls.ts")).href;

/** Runs ensureSelfSigned in a new process at wall-clock time `at`; resolves to what that process
 *  read back from the files: whether its key fits its certificate, and the certificate's serial. */
function racer(dir: string, at: number): Promise<{ fits: boolean; serial: string }> {
  const script = `
    import { readFileSync } from "node:fs";
    import { X509Certificate, createPrivateKey } from "node:crypto";
    const { ensureSelfSigned } = await import(${JSON.stringify(TLS_MODULE)});
    await new Promise((r) => setTimeout(r, Math.max(0, ${at} - Date.now())));
    const p = await ensureSelfSigned(${JSON.stringify(dir)}, "localhost");
    const cert = new X509Certificate(readFileSync(p.cert));
    const fits = cert.checkPrivateKey(createPrivateKey(readFileSync(p.key)));
    process.stdout.write(JSON.stringify({ fits, serial: cert.serialNumber }));
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.stderr.on("data", (d: Buffer) => (err += d));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) resolve(JSON.parse(out) as { fits: boolean; serial: string });
      else reject(new Error(`racer exited ${code}: ${err.slice(0, 500)}`));
    });
  });
}

async function pairFits(dir: string): Promise<boolean> {
  const cert = new X509Certificate(await readFile(join(dir, "cert.pem")));
  return cert.checkPrivateKey(createPrivateKey(await readFile(join(dir, "key.pem"))));
}

describe("ensureSelfSigned", () => {
  let base: string;
  before(async () => {
    base = await mkdtemp(join(tmpdir(), "yubin-self-signed-"));
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  test("processes starting together on a fresh directory all get the same matching pair", async () => {
    // Several rounds of six processes: the unlocked version mismatched in most rounds here.
    for (let round = 0; round < 4; round++) {
      const dir = join(base, `race-${round}`);
      const at = Date.now() + 2500; // after every child has loaded tsx
      const results = await Promise.all(Array.from({ length: 6 }, () => racer(dir, at)));
      for (const r of results)
        assert.equal(r.fits, true, `round ${round}: a process read a key that does not fit`);
      assert.equal(
        new Set(results.map((r) => r.serial)).size,
        1,
        `round ${round}: processes served different certificates`,
      );
      assert.equal(await pairFits(dir), true, `round ${round}: the files left do not match`);
    }
  });

  test("a pair left mismatched is made again, a matching one is kept", async () => {
    const a = join(base, "heal-a");
    const b = join(base, "heal-b");
    await ensureSelfSigned(a, "localhost");
    await ensureSelfSigned(b, "localhost");
    const kept = await readFile(join(a, "cert.pem"), "utf8");
    await ensureSelfSigned(a, "localhost");
    assert.equal(await readFile(join(a, "cert.pem"), "utf8"), kept, "a matching pair is not replaced");
    await writeFile(join(a, "key.pem"), await readFile(join(b, "key.pem")));
    assert.equal(await pairFits(a), false);
    await ensureSelfSigned(a, "localhost");
    assert.equal(await pairFits(a), true);
  });

  test("a lock left by a process that died does not block the start", async () => {
    const dir = join(base, "stale");
    await ensureSelfSigned(dir, "localhost");
    await rm(join(dir, "cert.pem"));
    // A pid that cannot be running (above Linux's pid_max), in a lock dated an hour ahead: the
    // age rule (10 s) cannot free it, only the dead pid can; were that not seen, the start would
    // wait out its 30 s and fail. No wall-clock bound on the start, so a loaded machine passes.
    const lock = join(dir, "self-signed.lock");
    await writeFile(lock, "4194305\n");
    const ahead = new Date(Date.now() + 3_600_000);
    await utimes(lock, ahead, ahead);
    await ensureSelfSigned(dir, "localhost");
    assert.equal(await pairFits(dir), true);
  });
});
