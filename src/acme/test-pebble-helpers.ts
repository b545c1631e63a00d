// What the Pebble tests (pebble*.test.ts, one file per Pebble set-up so that each stays well
// inside the runner's 120 s per file on a loaded machine) share: the names, waiting for the first
// order to end, and an IMAPS client verifying against Pebble's root.
import assert from "node:assert/strict";
import { connect, type TLSSocket } from "node:tls";
import type { TestServer } from "../testing/harness.js";
import { commandSkip } from "../testing/requires.js";
import type { TestPebble } from "./test-pebble.js";
import type { AcmeStatus } from "./types.js";

export const skip = commandSkip("pebble");
export const HOST = "mail.example.test";
export const NAMES = [
  HOST,
  "autoconfig.example.test",
  "mta-sts.example.test",
  "autoconfig.other.test",
  "mta-sts.other.test",
];

/** Until the first order ended (valid or failing), bounded. */
export async function settled(srv: TestServer, pebble: TestPebble): Promise<AcmeStatus> {
  const acme = srv.ctx.acme;
  assert.ok(acme, "ACME is on");
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const s = acme.status();
    if (s.state === "failing") assert.fail(`order failed: ${s.lastError?.message}\n${pebble.output()}`);
    if (s.state === "valid") return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`no certificate within 90 s\n${pebble.output()}`);
}

/** An IMAPS connection verified against `ca`, after its greeting. */
export async function imaps(port: number, ca: string): Promise<{ sock: TLSSocket; lines: string[] }> {
  const lines: string[] = [];
  const sock = connect({ host: "127.0.0.1", port, servername: HOST, ca });
  sock.setEncoding("utf8");
  let buf = "";
  sock.on("data", (d: string) => {
    buf += d;
    for (let nl = buf.indexOf("\r\n"); nl >= 0; nl = buf.indexOf("\r\n")) {
      lines.push(buf.slice(0, nl));
      buf = buf.slice(nl + 2);
    }
  });
  await new Promise<void>((resolve, reject) => {
    sock.once("secureConnect", resolve);
    sock.once("error", reject);
  });
  await until(() => lines.some((l) => l.startsWith("* OK")));
  return { sock, lines };
}

/** Until ok() holds; bounded (by default 60 s: a bound for a stuck test, not a speed requirement). */
export async function until(ok: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const listener = (protocol: string, tls: string, port = 0) => ({
  protocol,
  address: "127.0.0.1",
  port,
  tls,
});
