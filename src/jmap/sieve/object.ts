// The SieveScript object of JMAP Sieve (RFC 9661 2.1): a user's script as the store keeps it
// (SieveStore: the same scripts ManageSieve and the webmail see), with its content as a blob.
// The blobId is "G" + the SHA-256 of the script's UTF-8 bytes, the very id the upload of those
// bytes got (store/uploads.ts): content-addressed, so it changes with the content (a blob is
// immutable, RFC 8620 6) and a download of it (blob/resolve.ts) finds the script itself after
// the upload has expired.
import { createHash } from "node:crypto";
import type { SieveConfig } from "../../sieve/config.js";
import { supportedExtensions } from "../../sieve/index.js";
import type { Account, SieveScriptRecord } from "../../store/types.js";
import type { JmapServices, JsonObject } from "../core/types.js";

export const CAP_SIEVE = "urn:ietf:params:jmap:sieve";
export const SIEVE_PROPERTIES = ["id", "name", "blobId", "isActive"];
/** The media type of a script (RFC 5804 / RFC 5228 15.2), for downloads of its blob. */
export const SIEVE_MEDIA_TYPE = "application/sieve";
/** RFC 9661 1.2.1: maxSizeScriptName is in octets and at least 512 (128 characters of up to
 *  4 octets, ManageSieve's bound, RFC 5804 1.6); the store also bounds it to 128 characters. */
export const MAX_SIZE_SCRIPT_NAME = 512;

/** RFC 8620 1.2: an Id is 1–255 of [A-Za-z0-9_-]; "S" keeps it apart from other kinds. */
export const sieveScriptIdOf = (id: number): string => `S${id}`;

export function parseSieveScriptId(id: unknown): number | null {
  if (typeof id !== "string" || !/^S[1-9][0-9]{0,14}$/.test(id)) return null;
  return Number(id.slice(1));
}

/** The blobId of these script bytes (the same as their upload's). */
export const sieveBlobIdOf = (content: string): string =>
  `G${createHash("sha256").update(content, "utf8").digest("hex")}`;

export function sieveScriptJson(s: SieveScriptRecord): JsonObject {
  return {
    id: sieveScriptIdOf(s.id),
    name: s.name,
    blobId: sieveBlobIdOf(s.content),
    isActive: s.active,
  };
}

/** RFC 9661 1.2.1: the account capability, from the [sieve] limits. */
export function sieveAccountCapability(cfg: SieveConfig): JsonObject {
  return {
    implementation: "Yubin",
    maxSizeScriptName: MAX_SIZE_SCRIPT_NAME,
    maxSizeScript: cfg.maxScriptBytes,
    maxNumberScripts: cfg.maxScripts,
    maxNumberRedirects: cfg.maxRedirects,
    sieveExtensions: [...supportedExtensions].sort(),
    notificationMethods: ["mailto"],
    externalLists: null,
  };
}

/** The per-account byte bound the store checks: every script may be as large as one may be,
 *  so only maxScripts and maxScriptBytes limit an account. */
export const sieveStoreLimits = (cfg: SieveConfig) => ({
  maxScripts: cfg.maxScripts,
  maxTotalBytes: cfg.maxScripts * cfg.maxScriptBytes,
});

/** One of the account's scripts whose content has this blobId ("G…"), as a blob; else null. */
export async function sieveScriptBlob(
  services: JmapServices,
  account: Account,
  blobId: string,
): Promise<{ data: Buffer; type: string } | null> {
  if (!/^G[0-9a-f]{64}$/.test(blobId)) return null;
  for (const s of await services.app.store.sieve.list(account.id))
    if (sieveBlobIdOf(s.content) === blobId)
      return { data: Buffer.from(s.content, "utf8"), type: SIEVE_MEDIA_TYPE };
  return null;
}
