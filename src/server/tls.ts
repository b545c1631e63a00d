// TLS material for every listener: the configured certificate, or a self-signed one created at
// first start in dataDir/tls. reload() swaps it in place (SIGHUP) without dropping connections.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createSecureContext, type SecureContext } from "node:tls";
import selfsigned from "selfsigned";
import type { Config } from "../config/schema.js";
import type { TlsProvider } from "./context.js";

export interface ReloadableTls extends TlsProvider {
  reload(): void;
  certPath: string;
}

export async function ensureSelfSigned(
  dir: string,
  hostname: string,
): Promise<{ cert: string; key: string }> {
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  if (existsSync(certPath) && existsSync(keyPath)) return { cert: certPath, key: keyPath };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const notAfter = new Date();
  notAfter.setFullYear(notAfter.getFullYear() + 5);
  const altNames = [{ type: 2 as const, value: hostname }];
  if (hostname !== "localhost") altNames.push({ type: 2, value: "localhost" });
  const pems = await selfsigned.generate([{ name: "commonName", value: hostname }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notAfterDate: notAfter,
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "subjectAltName", altNames: [...altNames, { type: 7, ip: "127.0.0.1" }] },
    ],
  });
  writeFileSync(keyPath, pems.private, { mode: 0o600 });
  writeFileSync(certPath, pems.cert, { mode: 0o644 });
  return { cert: certPath, key: keyPath };
}

export async function createTlsProvider(config: Config): Promise<ReloadableTls> {
  let paths: { cert: string; key: string };
  if (config.tls.cert && config.tls.key) paths = { cert: config.tls.cert, key: config.tls.key };
  else paths = await ensureSelfSigned(join(config.server.dataDir, "tls"), config.server.hostname);

  let pem = { cert: "", key: "" };
  let ctx: SecureContext | null = null;
  const load = () => {
    const next = { cert: readFileSync(paths.cert, "utf8"), key: readFileSync(paths.key, "utf8") };
    // Throws on a bad pair, so a broken reload keeps the old certificate.
    const nextCtx = createSecureContext({ ...next, minVersion: config.tls.minVersion });
    pem = next;
    ctx = nextCtx;
  };
  load();
  return {
    certPath: paths.cert,
    minVersion: config.tls.minVersion,
    context: () => ctx!,
    pem: () => pem,
    reload: load,
  };
}
