// Imports' backend-neutral pieces: the UID bound and the check that turns a batch into what is
// filed. Used by the SQLite (sqlite/imports.ts) and PostgreSQL (postgres/imports.ts) stores.
import { StoreError } from "../errors.js";
import type { ImportedMessage } from "../types.js";
import { hashBody } from "./body-hash.js";
import { parseFlags, type StoredFlags } from "./flags.js";

/** IMAP UIDs and UIDVALIDITY are 32-bit (RFC 3501 2.3.1.1). */
export const MAX_UID = 0xffffffff;

/** One message of a batch, checked, hashed and with its flags parsed. */
export interface Prepared {
  body: Buffer;
  hash: string;
  flags: StoredFlags;
  internalDate: number;
  uid: number | undefined;
}

/** The batch as filed, or a StoreError: Buffer bodies, valid dates, UIDs in range and increasing. */
export function checkBatch(messages: ImportedMessage[]): Prepared[] {
  if (!Array.isArray(messages)) throw new StoreError("invalid", "messages must be an array");
  let last = 0;
  return messages.map((m) => {
    if (!Buffer.isBuffer(m.body)) throw new StoreError("invalid", "body must be a Buffer");
    const t = m.internalDate instanceof Date ? m.internalDate.getTime() : Number.NaN;
    if (!Number.isFinite(t)) throw new StoreError("invalid", "invalid internal date");
    if (m.uid !== undefined) {
      if (!Number.isSafeInteger(m.uid) || m.uid < 1 || m.uid > MAX_UID)
        throw new StoreError("invalid", `invalid UID ${m.uid}`);
      if (m.uid <= last) throw new StoreError("invalid", `UIDs not increasing within the batch (${m.uid})`);
      last = m.uid;
    }
    return {
      body: m.body,
      hash: hashBody(m.body),
      flags: parseFlags(m.flags),
      internalDate: t,
      uid: m.uid,
    };
  });
}
