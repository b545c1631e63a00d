// DKIM keys on disk: <dataDir>/dkim/<domain>/<selector>.key, one PKCS#8 PEM private key per
// file, mode 0600 in a 0700 directory. The algorithm is read from the key itself, so a key
// imported by hand under any selector name works.
//
// Selector names are dated, "y2026a-ed" / "y2026a-rsa"; a rotation in the same year takes the
// next letter ("y2026b-…"). The newest key of each algorithm signs; older ones stay on disk (and
// should stay in DNS for a while) so that mail signed before a rotation still verifies.
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from "node:crypto";
import { mkdir, readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const generateKeyPairAsync = promisify(generateKeyPair);

export type DkimAlgorithm = "ed25519-sha256" | "rsa-sha256";
/** The [mailauth] algorithms setting. */
export type AlgorithmChoice = "ed25519+rsa" | "rsa" | "ed25519";

export interface DkimKey {
  domain: string;
  selector: string;
  algorithm: DkimAlgorithm;
  privateKeyPem: string;
  /** The p= value of the DNS record: raw 32-byte key for ed25519 (RFC 8463 §4.2), SPKI DER for RSA. */
  publicKeyBase64: string;
}

export class DkimKeyError extends Error {
  override name = "DkimKeyError";
}

export function algorithmsOf(choice: AlgorithmChoice): DkimAlgorithm[] {
  if (choice === "rsa") return ["rsa-sha256"];
  if (choice === "ed25519") return ["ed25519-sha256"];
  return ["ed25519-sha256", "rsa-sha256"];
}

export function dkimDir(dataDir: string, domain: string): string {
  return join(dataDir, "dkim", safeDomain(domain));
}

// The domain becomes a directory name: refuse anything that could step outside dkim/.
function safeDomain(domain: string): string {
  const d = domain.toLowerCase();
  if (!/^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/.test(d) || d.includes(".."))
    throw new DkimKeyError(`not a domain name: ${JSON.stringify(domain)}`);
  return d;
}

const selectorRe = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** All keys of a domain, newest first (by the dated selector; other names count as oldest). */
export async function loadDkimKeys(dataDir: string, domain: string): Promise<DkimKey[]> {
  const dir = dkimDir(dataDir, domain);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  const keys: DkimKey[] = [];
  for (const name of names) {
    if (!name.endsWith(".key")) continue;
    const selector = name.slice(0, -4);
    if (!selectorRe.test(selector)) continue;
    const pem = await readFile(join(dir, name), "utf8");
    keys.push(keyFromPem(domain.toLowerCase(), selector, pem));
  }
  // Same generation: by name ("-ed" before "-rsa"), so listings read the same every time.
  return keys.sort(
    (a, b) => selectorOrder(b.selector) - selectorOrder(a.selector) || (a.selector < b.selector ? -1 : 1),
  );
}

/** The key that signs for each wanted algorithm: the newest one. */
export function activeKeys(keys: DkimKey[], algorithms: DkimAlgorithm[]): DkimKey[] {
  const out: DkimKey[] = [];
  for (const alg of algorithms) {
    const k = keys.find((x) => x.algorithm === alg);
    if (k) out.push(k);
  }
  return out;
}

export interface GenerateOptions {
  algorithms: DkimAlgorithm[];
  rsaBits: number;
  now?: Date;
}

/** Create a new key per algorithm under the next free dated selector; returns the new keys. */
export async function generateDkimKeys(
  dataDir: string,
  domain: string,
  opts: GenerateOptions,
): Promise<DkimKey[]> {
  const dir = dkimDir(dataDir, domain);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const existing = new Set((await readdir(dir)).filter((n) => n.endsWith(".key")).map((n) => n.slice(0, -4)));
  const year = (opts.now ?? new Date()).getUTCFullYear();
  const base = nextSelectorBase(year, existing);
  const out: DkimKey[] = [];
  for (const alg of opts.algorithms) {
    const selector = `${base}-${alg === "rsa-sha256" ? "rsa" : "ed"}`;
    const pem = await newPrivateKeyPem(alg, opts.rsaBits);
    await writeKeyFile(join(dir, `${selector}.key`), pem);
    out.push(keyFromPem(domain.toLowerCase(), selector, pem));
  }
  return out;
}

/** Keys for a domain that has none yet (domain add, first start); existing keys are kept. */
export async function ensureDkimKeys(
  dataDir: string,
  domain: string,
  opts: GenerateOptions,
): Promise<DkimKey[]> {
  const have = await loadDkimKeys(dataDir, domain);
  const missing = opts.algorithms.filter((a) => !have.some((k) => k.algorithm === a));
  if (missing.length === 0) return [];
  return generateDkimKeys(dataDir, domain, { ...opts, algorithms: missing });
}

/** Stat of the domain's key directory, for caches: changes whenever a key is added or removed. */
export async function keyDirVersion(dataDir: string, domain: string): Promise<number> {
  try {
    return (await stat(dkimDir(dataDir, domain))).mtimeMs;
  } catch {
    return -1;
  }
}

// "y2026a", then "y2026b" … "y2026z", "y2026za" …: letters sort in creation order.
function nextSelectorBase(year: number, existing: Set<string>): string {
  let best = -1;
  for (const s of existing) {
    const o = selectorOrder(s);
    if (Math.floor(o / 10000) === year) best = Math.max(best, o % 10000);
  }
  return `y${year}${lettersFor(best + 1)}`;
}

function lettersFor(n: number): string {
  // n = 0..25 → a..z; 26.. → za, zb, … zz, zza …: each leading "z" adds 26, and the string
  // order of the letters is their creation order.
  if (n < 26) return String.fromCharCode(97 + n);
  return `z${lettersFor(n - 26)}`;
}

/** year * 10000 + sequence for dated selectors, -1 for others. */
function selectorOrder(selector: string): number {
  const m = /^y(\d{4})([a-z]+)-/.exec(selector);
  if (!m) return -1;
  const letters = m[2]!;
  let seq = 0;
  for (let i = 0; i < letters.length - 1; i++) {
    if (letters[i] !== "z") return -1;
    seq += 26;
  }
  seq += letters.charCodeAt(letters.length - 1) - 97;
  return Number(m[1]) * 10000 + Math.min(seq, 9999);
}

async function newPrivateKeyPem(alg: DkimAlgorithm, rsaBits: number): Promise<string> {
  // generateKeyPair runs on libuv's thread pool: a 2048-bit RSA key does not block the event loop.
  const pair =
    alg === "rsa-sha256"
      ? await generateKeyPairAsync("rsa", { modulusLength: rsaBits })
      : await generateKeyPairAsync("ed25519");
  return pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

async function writeKeyFile(path: string, pem: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, pem, { mode: 0o600, flag: "wx" });
  await rename(tmp, path);
}

function keyFromPem(domain: string, selector: string, pem: string): DkimKey {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (e) {
    throw new DkimKeyError(`DKIM key ${selector} of ${domain} is not a private key: ${(e as Error).message}`);
  }
  const type = key.asymmetricKeyType;
  if (type !== "rsa" && type !== "ed25519")
    throw new DkimKeyError(`DKIM key ${selector} of ${domain}: unsupported key type ${type}`);
  const spki = createPublicKey(key).export({ type: "spki", format: "der" });
  // An ed25519 SPKI is a fixed 12-byte prefix and the 32-byte key; DNS carries only the key.
  const publicKeyBase64 = (type === "ed25519" ? spki.subarray(spki.length - 32) : spki).toString("base64");
  return {
    domain,
    selector,
    algorithm: type === "rsa" ? "rsa-sha256" : "ed25519-sha256",
    privateKeyPem: pem,
    publicKeyBase64,
  };
}
