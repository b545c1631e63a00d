// TLS material for every listener: a certificate issued by ACME (src/acme, when on), else the
// configured one, else a self-signed one created at first start in dataDir/tls. reload() swaps it
// in place (SIGHUP, or ACME after a renewal) without dropping connections: sessions keep the
// context they shook hands with, new handshakes get the new one.
import { createPrivateKey, randomInt, X509Certificate } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
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
  /** Read the certificate files again; throws (keeping the old certificate) on a bad pair. */
  reload(): void;
  /** The certificate file served now. */
  readonly certPath: string;
  /** Where the served certificate comes from. */
  source(): "acme" | "configured" | "self-signed";
  /** Serve `pem` to TLS-ALPN-01 validations of `name` (RFC 8737 3), or stop (null). */
  setAlpnChallenge(name: string, pem: { cert: string; key: string } | null): void;
}

/** The ALPN protocol of TLS-ALPN-01 validation connections (RFC 8737 6.2). */
export const ACME_TLS_ALPN = "acme-tls/1";

/** How long a start waits for another process making the self-signed pair before giving up. */
const SELF_SIGNED_WAIT_MS = 30_000;
/** A lock older than this is left by a process that died while making the pair (it takes ms). */
const SELF_SIGNED_STALE_MS = 10_000;

/** Whether `keyPath` holds the private key of the certificate in `certPath` (false when either is
 *  missing or unreadable as PEM). */
function pairFits(certPath: string, keyPath: string): boolean {
  try {
    return new X509Certificate(readFileSync(certPath)).checkPrivateKey(
      createPrivateKey(readFileSync(keyPath)),
    );
  } catch {
    return false;
  }
}

/** Whether the lock at `lockPath` belongs to a process that is gone: its pid (first line) is not
 *  running here, or it is older than any making of a pair takes. */
function lockIsStale(lockPath: string): boolean {
  try {
    if (Date.now() - statSync(lockPath).mtimeMs > SELF_SIGNED_STALE_MS) return true;
    const pid = Number.parseInt(readFileSync(lockPath, "utf8"), 10);
    if (!Number.isSafeInteger(pid) || pid <= 0) return false; // being written: wait for it
    process.kill(pid, 0);
    return false;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ESRCH"; // ENOENT: released meanwhile; EPERM: someone else's live process
  }
}

/** Writes `text` to `path` through a temporary file and a rename, so a reader sees the old file
 *  or the new one, never a part. */
function writeReplacing(path: string, text: string, mode: number): void {
  const tmp = `${path}.${process.pid}.${randomInt(1e9)}.tmp`;
  writeFileSync(tmp, text, { mode, flag: "wx" });
  renameSync(tmp, path);
}

/** The self-signed pair in `dir`, made when there is none or when the key no longer fits the
 *  certificate. Several processes run this at once on a new installation (`serve --workers N`,
 *  a second node on the same data directory): each would make its own pair and could read one's key
 *  beside another's certificate, so the making is under an exclusive lock file holding the maker's
 *  pid, and everyone returns only a pair whose key fits. */
export async function ensureSelfSigned(
  dir: string,
  hostname: string,
): Promise<{ cert: string; key: string }> {
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  const paths = { cert: certPath, key: keyPath };
  if (pairFits(certPath, keyPath)) return paths;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lockPath = join(dir, "self-signed.lock");
  const deadline = Date.now() + SELF_SIGNED_WAIT_MS;
  for (;;) {
    let fd: number;
    try {
      fd = openSync(lockPath, "wx", 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      if (lockIsStale(lockPath)) rmSync(lockPath, { force: true });
      else if (Date.now() > deadline)
        throw new Error(`${lockPath}: another process has been making the self-signed certificate too long`);
      else await new Promise((r) => setTimeout(r, 25));
      if (pairFits(certPath, keyPath)) return paths;
      continue;
    }
    try {
      writeFileSync(fd, `${process.pid}\n`);
      // Made by the holder before us while we waited for the lock.
      if (pairFits(certPath, keyPath)) return paths;
      const pems = await generateSelfSigned(hostname);
      writeReplacing(keyPath, pems.private, 0o600);
      writeReplacing(certPath, pems.cert, 0o644);
    } finally {
      closeSync(fd);
      rmSync(lockPath, { force: true });
    }
    // Checked again rather than trusted: a holder wrongly judged stale could have written too.
    if (pairFits(certPath, keyPath)) return paths;
  }
}

async function generateSelfSigned(hostname: string): Promise<{ private: string; cert: string }> {
  const notAfter = new Date();
  notAfter.setFullYear(notAfter.getFullYear() + 5);
  const altNames = [{ type: 2 as const, value: hostname }];
  if (hostname !== "localhost") altNames.push({ type: 2, value: "localhost" });
  return selfsigned.generate([{ name: "commonName", value: hostname }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notAfterDate: notAfter,
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "subjectAltName", altNames: [...altNames, { type: 7, ip: "127.0.0.1" }] },
    ],
  });
}

export interface TlsProviderOptions {
  /** The certificate ACME issues (src/acme/files.ts), served from the moment both files exist
   *  and preferred to the configured and self-signed ones. Unset when ACME is off. */
  issued?: { cert: string; key: string; extra?: () => string[] };
}

export async function createTlsProvider(
  config: Config,
  opts: TlsProviderOptions = {},
): Promise<ReloadableTls> {
  const configured =
    config.tls.cert && config.tls.key ? { cert: config.tls.cert, key: config.tls.key } : null;
  // The self-signed fallback exists whenever nothing else may be there yet (first start with ACME).
  const selfSigned = configured
    ? null
    : await ensureSelfSigned(join(config.server.dataDir, "tls"), config.server.hostname);
  const issued = opts.issued;
  const choose = (): {
    paths: { cert: string; key: string };
    source: "acme" | "configured" | "self-signed";
  } => {
    if (issued && existsSync(issued.cert) && existsSync(issued.key)) return { paths: issued, source: "acme" };
    if (configured) return { paths: configured, source: "configured" };
    return { paths: selfSigned!, source: "self-signed" };
  };

  let pem = { cert: "", key: "" };
  let ctx: SecureContext | null = null;
  let current = choose();
  // Further issued certificates (more names than one certificate holds), by name, for SNI.
  let byName = new Map<string, SecureContext>();
  const load = () => {
    const next = choose();
    const files = { cert: readFileSync(next.paths.cert, "utf8"), key: readFileSync(next.paths.key, "utf8") };
    // Throws on a bad pair, so a broken reload keeps the old certificate.
    const nextCtx = createSecureContext({ ...files, ...tlsPolicy(config.tls.minVersion) });
    const nextByName = new Map<string, SecureContext>();
    if (next.source === "acme")
      for (const path of issued?.extra?.() ?? []) {
        // One that does not fit the key (left from before a key change whose renewal failed half
        // way) is skipped: its names get the main certificate until it is renewed.
        try {
          const cert = readFileSync(path, "utf8");
          const extraCtx = createSecureContext({ cert, key: files.key, ...tlsPolicy(config.tls.minVersion) });
          for (const name of dnsNames(cert)) if (!nextByName.has(name)) nextByName.set(name, extraCtx);
        } catch {}
      }
    pem = files;
    ctx = nextCtx;
    byName = nextByName;
    current = next;
  };
  load();
  // TLS-ALPN-01 validation certificates by name, only while their challenge is pending.
  const alpn = new Map<string, SecureContext>();
  return {
    get certPath() {
      return current.paths.cert;
    },
    source: () => current.source,
    minVersion: config.tls.minVersion,
    context: () => ctx!,
    pem: () => pem,
    reload: load,
    sniContext: (servername) => {
      if (alpn.size === 0 && byName.size === 0) return ctx!;
      const name = servername.toLowerCase();
      return alpn.get(name) ?? byName.get(name) ?? ctx!;
    },
    alpnSelect: (servername, offered) => {
      // RFC 8737 3: the validation handshake offers acme-tls/1 only; it gets the validation
      // certificate (chosen in sniContext) and that protocol. Others keep HTTP/1.1 as before.
      if (offered.includes(ACME_TLS_ALPN) && alpn.has(servername.toLowerCase())) return ACME_TLS_ALPN;
      return offered.includes("http/1.1") ? "http/1.1" : undefined;
    },
    setAlpnChallenge(name, p) {
      if (p) alpn.set(name.toLowerCase(), createSecureContext({ ...p, ...tlsPolicy("TLSv1.2") }));
      else alpn.delete(name.toLowerCase());
    },
  };
}

/** The DNS names of the first certificate of a PEM chain (its subjectAltName), lower-case. */
function dnsNames(chain: string): string[] {
  const first = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/.exec(chain)?.[0];
  if (!first) return [];
  return (new X509Certificate(first).subjectAltName ?? "")
    .split(/,\s*/)
    .filter((n) => n.startsWith("DNS:"))
    .map((n) => n.slice(4).toLowerCase());
}
