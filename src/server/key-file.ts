// The secret keys the server makes for itself in the data directory (app passwords' HMAC key,
// the second-factor sealing key, the SRS key): one file each, 32 random bytes in base64, made on
// first use. Made in a temporary file then linked into place, so a server and a CLI starting at
// once agree on one key. A damaged file is an error, never a new key: a new one would orphan
// what the old one made (every app password, sealed TOTP secret or SRS bounce in flight).
import { randomBytes, randomInt } from "node:crypto";
import { link, mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const KEY_FILE_BYTES = 32;

function parseKey(text: string, path: string): Buffer {
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== KEY_FILE_BYTES || key.toString("base64") !== text.trim())
    throw new Error(`${path}: not a ${KEY_FILE_BYTES}-byte base64 key; restore it from a backup`);
  return key;
}

/** The key in dataDir/fileName, made (mode 0600, the directory 0700) when there is none. */
export async function loadKeyFile(dataDir: string, fileName: string): Promise<Buffer> {
  const path = join(dataDir, fileName);
  try {
    return parseKey(await readFile(path, "utf8"), path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomInt(1e9)}.tmp`;
  const key = randomBytes(KEY_FILE_BYTES);
  await writeFile(tmp, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  try {
    await link(tmp, path);
    return key;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    return parseKey(await readFile(path, "utf8"), path);
  } finally {
    await unlink(tmp).catch(() => {});
  }
}
