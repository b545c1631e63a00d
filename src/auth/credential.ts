// The credential a login session or bearer token was opened with, as a short stamp: a SHA-256
// of the account's stored password hash. Sessions and tokens keep the stamp and compare it with
// the account row they read at every request anyway, so any change of the stored hash (admin
// reset, `yubin user passwd` in another process, a future self-service change) ends them on
// their next use, with no message between processes and no extra column. Keeping a digest, not
// the hash itself, keeps password hashes out of the session maps (and out of heap dumps).
// The one other writer of the hash, the argon2id upgrade of an imported hash (service.ts), runs
// inside a login, before that login's session or token is made; an older session of the same
// account ends with it, which errs on the safe side.
import { createHash } from "node:crypto";

export function credentialStamp(passwordHash: string): string {
  return createHash("sha256").update(passwordHash, "utf8").digest("base64url").slice(0, 22);
}
