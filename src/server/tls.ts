// TLS material for every listener: the configured certificate, or a self-signed one created at
// first start in dataDir/tls. reload() swaps it in place (SIGHUP) without dropping connections.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createSecureContext, type SecureContext } from "node:tls";
import selfsigned from "selfsigned";
import type { Config } from "../config/schema.js";
import type { TlsProvider } from "./context.js";

/** TLS 1.2 suites of Mozilla's "intermediate" profile (ssl-config.mozilla.org, v5.7) without
 *  its DHE ones: ECDHE (forward secrecy) with AES-GCM or ChaCha20-Poly1305 (AEAD) only, so no CBC
 *  and no SHA-1 MAC (RFC 9325 4.2). Node's default list still allows CBC/SHA-1 suites. */
export const TLS12_CIPHERS = [
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
].join(":");

/** TLS 1.3's own suites (all AEAD), OpenSSL's defaults, named so that setting `ciphers` keeps them. */
const TLS13_SUITES = ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"];

/** The one TLS policy of every listener (SMTP STARTTLS, submissions, POP3, IMAP, HTTPS), spread
 *  into each secure context. honorCipherOrder stays off, as Mozilla's intermediate profile says:
 *  every suite offered is strong, so the client picks the one its hardware does fastest
 *  (ChaCha20 on phones without AES instructions). */
export function tlsPolicy(minVersion: "TLSv1.2" | "TLSv1.3") {
  return {
    minVersion,
    ciphers: [...TLS13_SUITES, TLS12_CIPHERS].join(":"),
    honorCipherOrder: false,
  } as const;
}

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
    const nextCtx = createSecureContext({ ...next, ...tlsPolicy(config.tls.minVersion) });
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
