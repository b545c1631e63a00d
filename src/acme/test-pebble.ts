// Tests' own Pebble (Let's Encrypt's test ACME server, Debian package `pebble`): a config in a
// temporary directory, its API on an ephemeral 127.0.0.1 port with a certificate made here, its
// validation (HTTP-01 and TLS-ALPN-01) aimed at the given ports of the server under test, and its
// DNS lookups sent to the tests' DNS server (src/testing/dns-server.ts). Started as a child,
// stopped by its PID. Nothing leaves 127.0.0.1.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import selfsigned from "selfsigned";
import { freePort, stopChild } from "../testing/net.js";

export interface TestPebble {
  /** The ACME directory URL. */
  directoryUrl: string;
  /** PEM of the certificate of Pebble's own HTTPS API ([acme] caFile). */
  apiCaFile: string;
  /** Pebble's issuing root (fetched from its management interface), for clients to verify with. */
  root(): Promise<string>;
  /** Everything Pebble logged, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

export interface PebbleOptions {
  /** The port Pebble connects to for HTTP-01 (our plain-HTTP listener). */
  httpPort: number;
  /** The port Pebble connects to for TLS-ALPN-01 (our HTTPS listener). */
  tlsPort: number;
  /** host:port of the DNS server Pebble resolves names with. */
  dnsServer: string;
}

export async function startTestPebble(opts: PebbleOptions): Promise<TestPebble> {
  const dir = await mkdtemp(join(tmpdir(), "yubin-pebble-"));
  const api = await selfsigned.generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    extensions: [
      { name: "basicConstraints", cA: false },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
        ],
      },
    ],
  });
  const apiCaFile = join(dir, "api-cert.pem");
  await writeFile(apiCaFile, api.cert);
  await writeFile(join(dir, "api-key.pem"), api.private, { mode: 0o600 });
  const port = await freePort();
  const mgmt = await freePort();
  await writeFile(
    join(dir, "pebble.json"),
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${port}`,
        managementListenAddress: `127.0.0.1:${mgmt}`,
        certificate: apiCaFile,
        privateKey: join(dir, "api-key.pem"),
        httpPort: opts.httpPort,
        tlsPort: opts.tlsPort,
        ocspResponderURL: "",
        externalAccountBindingRequired: false,
      },
    }),
  );
  let log = "";
  const child: ChildProcess = spawn(
    "pebble",
    ["-config", join(dir, "pebble.json"), "-dnsserver", opts.dnsServer],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        // Validate at once (no random 0-15 s sleep), accept every nonce, never reuse an
        // authorization (each order really validates).
        PEBBLE_VA_NOSLEEP: "1",
        PEBBLE_WFE_NONCEREJECT: "0",
        PEBBLE_AUTHZREUSE: "0",
      },
    },
  );
  const keep = (d: Buffer) => {
    if (log.length < 200_000) log += d.toString();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let exited = false;
  child.on("exit", () => {
    exited = true;
  });
  const get = (p: number, path: string) => httpsGet(`https://127.0.0.1:${p}${path}`, api.cert);
  const stop = async () => {
    await stopChild(child, 5000);
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && !exited) {
    try {
      await get(port, "/dir");
      await get(mgmt, "/roots/0");
      return {
        directoryUrl: `https://127.0.0.1:${port}/dir`,
        apiCaFile,
        root: () => get(mgmt, "/roots/0"),
        output: () => log,
        stop,
      };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await stop();
  throw new Error(`pebble did not come up within 30 s: ${log}`);
}

/** GET over HTTPS trusting `ca` only; the body, or an error for a non-200 answer. */
export function httpsGet(url: string, ca: string, servername?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, servername, timeout: 5000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        body += d;
      });
      res.on("end", () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode}`)),
      );
    });
    req.on("timeout", () => req.destroy(new Error(`${url}: timeout`)));
    req.on("error", reject);
    req.end();
  });
}
