// A body's blob id in either store: the hex SHA-256 of its bytes, so the same body is stored once
// however many messages and queue entries name it, and an id names the same body on SQLite and
// PostgreSQL (backup, verify and migrate-store check bodies by it).
import { createHash } from "node:crypto";

export function hashBody(body: Buffer): string {
  return createHash("sha256").update(body).digest("hex");
}
