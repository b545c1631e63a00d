// DKIM verification (RFC 6376 §6; ed25519-sha256 per RFC 8463) with node:crypto, giving results in
// mailauth's shape so DMARC (mailauth's) and our Authentication-Results read them unchanged.
//
// Why not mailauth's dkimVerify: (1) it canonicalizes header fields with JavaScript's \s, so good
// signatures over raw UTF-8 fields holding byte 0xA0 fail here (dkim-canon.ts); (2) per message
// it validated the key's base64 with Joi, built a PEM, parsed it, exported it to PEM and parsed it
// again at the verify, more CPU than the RSA verify itself. Here a key record is parsed once into
// a KeyObject and kept (KeyCache, by the record's text, so a changed record is a new entry).
//
// rsa-sha1 (RFC 8301 §3.1: "Verifiers MUST NOT consider signatures using rsa-sha1 valid") is
// reported, never verified: dkim=policy, as RFC 8601 §2.7.1 has it for a signature the ADMD does
// not accept, with Mail::DKIM's wording "unsupported algorithm rsa-sha1"; no key is fetched and no
// SHA-1 body hash computed. mailauth and dkimpy (1.1.4) still passed them.
//
// The pieces below (parseSignature, lookupKey, checkSignature) also verify ARC's signatures
// (arc-verify.ts).
//
// Bounds: at most maxSignatures DKIM-Signature fields are evaluated (the top-most; RFC 6376 §6.1
// lets a verifier limit them), each body hash is computed once per (canonicalization, hash, l=).
import { createHash, createPublicKey, verify as cryptoVerify, type KeyObject } from "node:crypto";
import { formatAuthHeaderRow } from "mailauth/lib/tools.js";
import type { RawField } from "../mime/headers.js";
import {
  type BodyHash,
  base64Value,
  bodyHash,
  type Canon,
  type HashAlgo,
  headerHashInput,
  type ParsedHeader,
  parseTagList,
  selectFields,
} from "./dkim-canon.js";
import { relaxedAlignment } from "./dmarc.js";

export interface DkimStatus {
  result: string;
  comment?: string;
  /** The aligned organizational domain, or false (RFC 7489 §3.1.1), when the message has a From. */
  aligned?: string | false;
  /** Octets of canonical body after the l= limit: unsigned content. */
  underSized?: number;
  policy?: Record<string, string>;
  header?: { i: string | false; s: string; a: string | undefined; b: string | false };
}

export interface DkimResult {
  id?: string;
  signingDomain?: string;
  selector?: string;
  algo?: string;
  status: DkimStatus;
  /** The Authentication-Results item, "dkim=pass header.i=@… …" (mailauth's format). */
  info: string;
}

export interface DkimVerifyOptions {
  resolveTxt: (name: string) => Promise<string[][]>;
  minRsaBits: number;
  maxSignatures: number;
  keys: KeyCache;
  now?: () => Date;
}

export type KeyType = "rsa" | "ed25519";
type ParsedKey = { key: KeyObject; type: KeyType; bits: number } | { error: KeyErrorCode };
type KeyErrorCode = "EINVALIDVAL" | "EINVALIDVER" | "EINVALIDTYPE";

/** Parsed key records by their text, most recently added last; bounded in entries, and records
 *  longer than any real key's (an RSA-8192 record is ~1,400 characters) are parsed, not kept. */
export class KeyCache {
  private readonly map = new Map<string, ParsedKey>();
  constructor(
    private readonly maxEntries = 1000,
    private readonly maxRecordChars = 2048,
  ) {}

  parse(record: string): ParsedKey {
    const hit = this.map.get(record);
    if (hit) return hit;
    const parsed = parseKeyRecord(record);
    if (record.length > this.maxRecordChars) return parsed;
    if (this.map.size >= this.maxEntries) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
    this.map.set(record, parsed);
    return parsed;
  }
}

// RFC 8463 §4: the DNS record holds the bare 32-byte ed25519 key; DER-wrapped as SPKI it parses.
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** RFC 6376 §3.6.1 key record: v=DKIM1 (optional, first), k= (rsa default), p= base64 key. */
export function parseKeyRecord(record: string): ParsedKey {
  const tags = parseTagList(record);
  if (!tags) return { error: "EINVALIDVAL" };
  const p = tags.get("p");
  if (!p) return { error: "EINVALIDVAL" }; // missing, or empty: the key is revoked
  const raw = base64Value(p);
  if (!raw || raw.length === 0) return { error: "EINVALIDVAL" };
  const v = tags.get("v");
  if (v !== undefined && v.toLowerCase() !== "dkim1") return { error: "EINVALIDVER" };
  let key: KeyObject;
  try {
    key =
      raw.length === 32
        ? createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: "der", type: "spki" })
        : createPublicKey({ key: raw, format: "der", type: "spki" });
  } catch {
    return { error: "EINVALIDTYPE" };
  }
  const type = key.asymmetricKeyType;
  const k = tags.get("k");
  if ((type !== "rsa" && type !== "ed25519") || (k !== undefined && k.toLowerCase() !== type))
    return { error: "EINVALIDTYPE" };
  return { key, type, bits: type === "rsa" ? (key.asymmetricKeyDetails?.modulusLength ?? 0) : 256 };
}

export interface Signature {
  field: RawField;
  signAlgo: KeyType;
  hashAlgo: HashAlgo;
  algorithm: string;
  headerCanon: Canon;
  bodyCanon: Canon;
  domain: string;
  selector: string;
  names: string[];
  bh: Buffer | null;
  b: string;
  limit: number | null;
  timestamp: number | null;
  expiration: number | null;
}

/** What one DKIM-Signature (or ARC-Message-Signature) field says, or null when it cannot be a
 *  signature we evaluate (unknown algorithm or canonicalization, no d= or s=: mailauth skips these
 *  too). `defaultCanon` is the c= when the field has none (RFC 6376: simple; ARC: relaxed). */
export function parseSignature(
  msg: Buffer,
  field: RawField,
  defaultCanon: Canon = "simple",
): Signature | null {
  const tags = parseTagList(msg.toString("latin1", field.valueStart, field.valueEnd));
  if (!tags) return null;
  const algorithm = (tags.get("a") ?? "").toLowerCase();
  const [signAlgo, hashAlgo] = algorithm.split("-");
  if (algorithm !== "rsa-sha256" && algorithm !== "rsa-sha1" && algorithm !== "ed25519-sha256") return null;
  const c = tags.get("c");
  const [hc = defaultCanon, bc = "simple"] = (c ?? `${defaultCanon}/${defaultCanon}`)
    .toLowerCase()
    .split("/");
  const headerCanon = hc.trim() || "simple";
  const bodyCanon = bc.trim() || "simple";
  if (!isCanon(headerCanon) || !isCanon(bodyCanon)) return null;
  const domain = tags.get("d") ?? "";
  const selector = tags.get("s") ?? "";
  if (!domain || !selector) return null;
  const num = (t: string): number | null => {
    const v = tags.get(t);
    return v !== undefined && /^\d{1,15}$/.test(v) ? Number(v) : null;
  };
  return {
    field,
    signAlgo: signAlgo as KeyType,
    hashAlgo: hashAlgo as HashAlgo,
    algorithm,
    headerCanon,
    bodyCanon,
    domain,
    selector,
    names: (tags.get("h") ?? "")
      .split(":")
      .map((n) => n.replace(/[ \t\r\n]/g, ""))
      .filter((n) => n !== ""),
    bh: base64Value(tags.get("bh") ?? ""),
    b: (tags.get("b") ?? "").replace(/[ \t\r\n]/g, ""),
    limit: num("l"),
    timestamp: num("t"),
    expiration: num("x"),
  };
}

function isCanon(c: string): c is Canon {
  return c === "simple" || c === "relaxed";
}

/** Every DKIM-Signature of the message, verified (at most opts.maxSignatures of them). */
export async function verifyDkim(
  msg: Buffer,
  header: ParsedHeader,
  headerFrom: string[],
  opts: DkimVerifyOptions,
): Promise<DkimResult[]> {
  const sigs: Signature[] = [];
  let seen = 0;
  for (const f of header.fields) {
    if (f.lname !== "dkim-signature") continue;
    if (++seen > opts.maxSignatures) break;
    const s = parseSignature(msg, f);
    if (s) sigs.push(s);
  }
  const bodies = new Map<string, Promise<BodyHash>>();
  const results: DkimResult[] = [];
  const nowSec = Math.floor((opts.now?.() ?? new Date()).getTime() / 1000);
  for (const sig of sigs) {
    if (sig.algorithm === "rsa-sha1") {
      results.push(rsaSha1Result(sig, headerFrom));
      continue;
    }
    const key = `${sig.bodyCanon}:${sig.hashAlgo}:${sig.limit ?? ""}`;
    let body = bodies.get(key);
    if (!body) {
      body = bodyHash(msg, header.bodyStart, { canon: sig.bodyCanon, algo: sig.hashAlgo, limit: sig.limit });
      bodies.set(key, body);
    }
    results.push(await verifyOne(msg, header, sig, await body, headerFrom, nowSec, opts));
  }
  if (results.length === 0) {
    const status = { result: "none", comment: "message not signed" };
    results.push({ status, info: formatAuthHeaderRow("dkim", status) });
  }
  return results;
}

/** RFC 8301 §3.1: an rsa-sha1 signature is not valid, whatever its bytes say. */
function rsaSha1Result(sig: Signature, headerFrom: string[]): DkimResult {
  const status: DkimStatus = {
    result: "policy",
    comment: RSA_SHA1_COMMENT,
    policy: { "dkim-rules": "weak-algorithm" },
    header: { i: `@${sig.domain}`, s: sig.selector, a: sig.algorithm, b: sig.b ? sig.b.slice(0, 8) : false },
  };
  const fromDomain = headerFrom[0]?.split("@").pop();
  if (fromDomain !== undefined) status.aligned = relaxedAlignment(fromDomain, sig.domain);
  return {
    id: createHash("sha256").update(Buffer.from(sig.b, "base64")).digest("hex"),
    signingDomain: sig.domain,
    selector: sig.selector,
    algo: sig.algorithm,
    status,
    info: formatAuthHeaderRow("dkim", status),
  };
}

/** The comment of an rsa-sha1 signature, DKIM's and ARC's (Mail::DKIM's words). */
export const RSA_SHA1_COMMENT = "unsupported algorithm rsa-sha1";

async function verifyOne(
  msg: Buffer,
  header: ParsedHeader,
  sig: Signature,
  body: BodyHash,
  headerFrom: string[],
  nowSec: number,
  opts: DkimVerifyOptions,
): Promise<DkimResult> {
  const status: DkimStatus = {
    result: "neutral",
    header: { i: `@${sig.domain}`, s: sig.selector, a: sig.algorithm, b: sig.b ? sig.b.slice(0, 8) : false },
  };
  const fromDomain = headerFrom[0]?.split("@").pop();
  if (fromDomain !== undefined) status.aligned = relaxedAlignment(fromDomain, sig.domain);
  if (!sig.names.some((n) => n.toLowerCase() === "from")) {
    // RFC 6376 §5.4, §6.1.1: a signature that does not cover From says nothing about the author.
    status.comment = "From field not signed";
  } else if (!sig.bh?.equals(body.hash)) {
    status.comment = "body hash did not verify";
  } else {
    await checkSignature(msg, header, sig, status, nowSec, opts);
  }
  if (sig.limit !== null && body.canonLength > body.hashedLength)
    status.underSized = body.canonLength - body.hashedLength;
  const sigBytes = Buffer.from(sig.b, "base64");
  return {
    id: createHash("sha256").update(sigBytes).digest("hex"),
    signingDomain: sig.domain,
    selector: sig.selector,
    algo: sig.algorithm,
    status,
    info: formatAuthHeaderRow("dkim", status),
  };
}

export type KeyLookupError = "nokey" | "dns" | "EINVALIDVAL" | "EINVALIDVER" | "EINVALIDTYPE" | "weak";
export type KeyLookup = { key: KeyObject; type: KeyType } | { error: KeyLookupError; detail?: string };

/** mailauth's comments for a key that cannot be used (DKIM's; ARC's add "for <name>"). */
export const KEY_ERROR_COMMENT: Record<Exclude<KeyLookupError, "dns" | "weak">, string> = {
  nokey: "no key",
  EINVALIDVER: "unknown key version",
  EINVALIDTYPE: "unknown key type",
  EINVALIDVAL: "invalid public key",
};

/** The key at selector._domainkey.domain, checked against the signature's algorithm and the
 *  smallest RSA size we accept. */
export async function lookupKey(
  domain: string,
  selector: string,
  signAlgo: KeyType,
  opts: Pick<DkimVerifyOptions, "resolveTxt" | "keys" | "minRsaBits">,
): Promise<KeyLookup> {
  let records: string[][];
  try {
    records = await opts.resolveTxt(`${selector}._domainkey.${domain}`);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ENOTFOUND" || code === "ENODATA") return { error: "nokey" };
    return { error: "dns", detail: code || (e as Error).message };
  }
  // The first record, its strings joined (RFC 6376 §3.6.2.2), whitespace removed.
  const text = (records[0] ?? []).join("").replace(/\s+/g, "");
  const parsed = text ? opts.keys.parse(text) : ({ error: "EINVALIDVAL" } as const);
  if ("error" in parsed) return { error: parsed.error };
  if (parsed.type !== signAlgo) return { error: "EINVALIDTYPE" };
  if (parsed.type === "rsa" && parsed.bits < opts.minRsaBits) return { error: "weak" };
  return parsed;
}

/** Whether `b64` is a good signature of `data` by `key` (ed25519 signs the SHA-256 of the data,
 *  RFC 8463 §3); throws on a malformed signature. */
export function signatureValid(signAlgo: KeyType, data: Buffer, key: KeyObject, b64: string): boolean {
  return signAlgo === "rsa"
    ? cryptoVerify("sha256", data, key, Buffer.from(b64, "base64"))
    : cryptoVerify(null, createHash("sha256").update(data).digest(), key, Buffer.from(b64, "base64"));
}

/** The signature's header hash checked against its key (the body hash was checked already);
 *  sets `status` to pass, fail, or why it could not tell. */
export async function checkSignature(
  msg: Buffer,
  header: ParsedHeader,
  sig: Signature,
  status: DkimStatus,
  nowSec: number,
  opts: Pick<DkimVerifyOptions, "resolveTxt" | "keys" | "minRsaBits">,
): Promise<void> {
  const found = await lookupKey(sig.domain, sig.selector, sig.signAlgo, opts);
  if ("error" in found) {
    if (found.error === "weak") {
      status.result = "policy";
      status.policy = { "dkim-rules": "weak-key" };
    } else if (found.error === "dns") {
      status.result = "temperror";
      status.comment = `DNS failure: ${found.detail}`;
    } else status.comment = KEY_ERROR_COMMENT[found.error];
    return;
  }
  const parsed = found;
  const data = headerHashInput(
    msg,
    selectFields(header.fields, sig.names),
    msg.subarray(sig.field.start, sig.field.valueEnd),
    sig.headerCanon,
  );
  let ok: boolean;
  try {
    ok = signatureValid(sig.signAlgo, data, parsed.key, sig.b);
  } catch (e) {
    status.comment = (e as Error).message;
    return;
  }
  if (!ok) {
    status.result = "fail";
    status.comment = "bad signature";
    return;
  }
  status.result = "pass";
  if (sig.expiration !== null && sig.timestamp !== null && sig.expiration < sig.timestamp) {
    status.result = "neutral";
    status.comment = "invalid expiration";
  }
  if (sig.expiration !== null && sig.expiration < nowSec) {
    status.result = "neutral";
    status.comment = "expired";
  }
}
