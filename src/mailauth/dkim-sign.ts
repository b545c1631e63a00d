// DKIM signatures (RFC 6376 §5; ed25519-sha256 per RFC 8463), relaxed/relaxed, made with the
// same canonicalization code our verifier uses (dkim-canon.ts).
//
// Why not mailauth's dkimSign (4.13.3), which we used before: (1) its relaxed header
// canonicalization treats bytes 0x0B, 0x0C and 0xA0 as whitespace, so a message with a raw UTF-8
// field holding "à" or "Р" in a signed field got a signature every other verifier rejects; (2)
// called without signTime it computes t= twice, once for the data it signs and once for the field
// it writes, and about 1 in 1,000 signatures straddled a second and carried the wrong t=.
// Here the field is written once, hashed from the bytes written, and b= appended last.
import { createHash, createPrivateKey, sign as cryptoSign, type KeyObject } from "node:crypto";
import { bodyHash, headerHashInput, parseHeader } from "./dkim-canon.js";

/** Fields signed when present (RFC 6376 §5.4.1's list, the ones that say who, what and when),
 *  every instance of each, bottom-up as §5.4.2 selects them. */
export const SIGNED_FIELDS = [
  "from",
  "sender",
  "reply-to",
  "subject",
  "date",
  "message-id",
  "to",
  "cc",
  "mime-version",
  "content-type",
  "content-transfer-encoding",
  "content-id",
  "content-description",
  "resent-date",
  "resent-from",
  "resent-sender",
  "resent-to",
  "resent-cc",
  "resent-message-id",
  "in-reply-to",
  "references",
  "list-id",
  "list-help",
  "list-unsubscribe",
  "list-subscribe",
  "list-post",
  "list-owner",
  "list-archive",
];
const SIGNED = new Set(SIGNED_FIELDS);

export interface SigningKey {
  domain: string;
  selector: string;
  algorithm: "rsa-sha256" | "ed25519-sha256";
  privateKey: KeyObject;
}

const parsedKeys = new Map<string, KeyObject>();

/** The private key of a PEM, parsed once per PEM (parsing costs more than an ed25519 signature). */
export function privateKeyOf(pem: string): KeyObject {
  let k = parsedKeys.get(pem);
  if (!k) {
    k = createPrivateKey(pem);
    if (parsedKeys.size >= 1000) parsedKeys.clear(); // keys of removed domains do not pile up
    parsedKeys.set(pem, k);
  }
  return k;
}

/** "DKIM-Signature: …\r\n" fields, one per key in the order given, to put above the message. */
export async function dkimSignatures(msg: Buffer, keys: SigningKey[], now: Date): Promise<string> {
  if (keys.length === 0) return "";
  const header = parseHeader(msg);
  const selected = [];
  for (let i = header.fields.length - 1; i >= 0; i--) {
    const f = header.fields[i]!;
    if (SIGNED.has(f.lname)) selected.push(f);
  }
  const bh = (await bodyHash(msg, header.bodyStart, { canon: "relaxed", algo: "sha256" })).hash.toString(
    "base64",
  );
  const t = Math.floor(now.getTime() / 1000);
  let out = "";
  for (const key of keys) {
    const field = signatureField("DKIM-Signature", [
      "v=1;",
      `a=${key.algorithm};`,
      "c=relaxed/relaxed;",
      `d=${key.domain};`,
      `s=${key.selector};`,
      `t=${t};`,
      ...hList(selected.map((f) => f.name)),
      `bh=${bh};`,
    ]);
    const data = headerHashInput(msg, selected, Buffer.from(field, "latin1"), "relaxed");
    out += `${field}${foldBase64(signBytes(key, data).toString("base64"))}\r\n`;
  }
  return out;
}

/** The signature of `data` (a canonical header) by `key`; ed25519 signs its SHA-256 (RFC 8463 §3). */
export function signBytes(key: SigningKey, data: Buffer): Buffer {
  return key.algorithm === "rsa-sha256"
    ? cryptoSign("sha256", data, key.privateKey)
    : cryptoSign(null, createHash("sha256").update(data).digest(), key.privateKey);
}

/** "h=a", ":b", …, ":z;" as signatureField folds them (at list boundaries). */
export function hList(names: string[]): string[] {
  return names.map((n, i) => (i === 0 ? "h=" : ":") + n + (i === names.length - 1 ? ";" : ""));
}

/** `name:` then the tags, ending with "b=" on a line of its own, folded at tag and h= list
 *  boundaries to lines under 78 (DKIM-Signature, ARC-Message-Signature, ARC-Seal). */
export function signatureField(name: string, tags: string[]): string {
  let out = `${name}:`;
  let lineLen = out.length;
  for (const p of [...tags, "b="]) {
    const sep = p.startsWith(":") ? "" : " ";
    // b= starts a line of its own, so its value's first line is as long as the others.
    if (lineLen + sep.length + p.length > 76 || p === "b=") {
      out += "\r\n ";
      lineLen = 1;
    } else {
      out += sep;
      lineLen += sep.length;
    }
    out += p;
    lineLen += p.length;
  }
  return out;
}

/** b= value in lines of 72 (FWS inside b= is ignored, RFC 6376 §3.5). */
export function foldBase64(b64: string): string {
  let out = "";
  for (let i = 0; i < b64.length; i += 72) out += (i === 0 ? "" : "\r\n ") + b64.slice(i, i + 72);
  return out;
}
