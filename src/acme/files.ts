// What ACME keeps in dataDir/acme (directory 0700, every file 0600, each written to a temporary
// file and renamed into place, so a crash leaves the old file or the new one, never half of one):
//   account.key   the ACME account's key (ECDSA P-256); the account is found again by it
//   cert.key      the certificate's key, kept across renewals by default (DANE TLSA 3 1 1)
//   cert.pem      the certificate and its chain, as the CA sent them
//   cert-2.pem …  further certificates (same key) when the names exceed one certificate's 100
//   state.json    last renewal, last error, failures: what the admin page shows after a restart
import { randomInt } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { chmod, mkdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface AcmePaths {
  dir: string;
  accountKey: string;
  certKey: string;
  cert: string;
  state: string;
}

export function acmePaths(dataDir: string): AcmePaths {
  const dir = join(dataDir, "acme");
  return {
    dir,
    accountKey: join(dir, "account.key"),
    certKey: join(dir, "cert.key"),
    cert: join(dir, "cert.pem"),
    state: join(dir, "state.json"),
  };
}

/** The file of the certificate for the i-th group of names (0: cert.pem, then cert-2.pem, …). */
export function groupCertPath(p: AcmePaths, i: number): string {
  return i === 0 ? p.cert : join(p.dir, `cert-${i + 1}.pem`);
}

/** The further certificates' files present (cert-2.pem, cert-3.pem, … in order). */
export function extraCertPaths(p: AcmePaths): string[] {
  let files: string[];
  try {
    files = readdirSync(p.dir);
  } catch {
    return [];
  }
  return files
    .map((f) => /^cert-([0-9]{1,4})\.pem$/.exec(f)?.[1])
    .filter((n): n is string => n !== undefined && Number(n) >= 2)
    .map(Number)
    .sort((a, b) => a - b)
    .map((n) => join(p.dir, `cert-${n}.pem`));
}

/** The issued certificates' files, for the TLS provider (src/server/tls.ts): the main one (used
 *  once it and the key exist) and the further ones, chosen by SNI for the names they hold. */
export function issuedCertificate(dataDir: string): { cert: string; key: string; extra: () => string[] } {
  const p = acmePaths(dataDir);
  return { cert: p.cert, key: p.certKey, extra: () => extraCertPaths(p) };
}

export async function ensureDir(p: AcmePaths): Promise<void> {
  await mkdir(p.dir, { recursive: true, mode: 0o700 });
  // mkdir's mode does not change a directory that existed (made by hand, or by an older umask).
  await chmod(p.dir, 0o700);
}

/** Write `data` to `path` whole or not at all: temporary file (0600) in the same directory, then
 *  rename, which replaces atomically on POSIX file systems. */
export async function writeAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomInt(1e9)}.tmp`;
  try {
    await writeFile(tmp, data, { mode: 0o600, flag: "wx" });
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}

export async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

/** What survives a restart, for the admin page and the backoff. */
export interface PersistedState {
  lastRenewal: string | null; // ISO time of the last certificate obtained
  lastError: { at: string; kind: string; message: string } | null;
  failures: number; // consecutive failed orders
  nextAttempt: string | null; // ISO time before which no new order is tried after failures
  /** The account's URL at each CA (by directory URL) the account key is registered with. */
  accounts: Record<string, string>;
}

export const EMPTY_STATE: PersistedState = {
  lastRenewal: null,
  lastError: null,
  failures: 0,
  nextAttempt: null,
  accounts: {},
};

export async function loadState(p: AcmePaths): Promise<PersistedState> {
  const text = await readIfExists(p.state);
  if (!text) return { ...EMPTY_STATE, accounts: {} };
  try {
    const v = JSON.parse(text) as Partial<PersistedState>;
    return {
      lastRenewal: typeof v.lastRenewal === "string" ? v.lastRenewal : null,
      lastError: v.lastError && typeof v.lastError.message === "string" ? v.lastError : null,
      failures: typeof v.failures === "number" && v.failures >= 0 ? v.failures : 0,
      nextAttempt: typeof v.nextAttempt === "string" ? v.nextAttempt : null,
      accounts:
        v.accounts && typeof v.accounts === "object"
          ? Object.fromEntries(Object.entries(v.accounts).filter(([, u]) => typeof u === "string"))
          : {},
    };
  } catch {
    // A damaged state file costs only the history shown on the admin page: start afresh.
    return { ...EMPTY_STATE, accounts: {} };
  }
}

export async function saveState(p: AcmePaths, s: PersistedState): Promise<void> {
  await ensureDir(p);
  await writeAtomic(p.state, `${JSON.stringify(s, null, 2)}\n`);
}

export function bothExist(paths: { cert: string; key: string }): boolean {
  return existsSync(paths.cert) && existsSync(paths.key);
}
