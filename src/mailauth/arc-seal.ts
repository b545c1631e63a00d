// ARC sealing (RFC 8617) of mail we forward: a Sieve redirect or a forwarding alias sends a
// message from another domain on to another domain, which breaks SPF (our IP is not the author's)
// and often DKIM (a list footer, our Received field is fine). The receiver can still see what we
// saw when it trusts us: an ARC set records our Authentication-Results (ARC-Authentication-
// Results, §4.1.1), signs the message (ARC-Message-Signature, §4.1.2) and seals the chain
// (ARC-Seal, §4.1.3) with the forwarding domain's DKIM key (its RSA key: RFC 8617 §4.1.3 names
// rsa-sha256 only; the p= record is the DKIM one, published already).
//
// cv (§4.1.3, §5.1.1): "none" when the message came with no chain, "pass" when it came with a
// valid one. A chain that failed is not sealed further: a set over cv=fail tells nobody anything,
// and mailauth, like OpenARC, stops there too.
//
// Made with our signer's pieces (dkim-sign.ts, dkim-canon.ts), not mailauth's sealMessage: its
// relaxed canonicalization took byte 0xA0 for whitespace, so a set over a raw UTF-8 field holding
// "à" or "Р" (a Subject, or our own Authentication-Results naming such an address) was wrong for
// every other verifier. Checked against dkimpy's arc_verify in arc-interop.test.ts.
import { scanHeader } from "../mime/headers.js";
import { MAX_ARC_SETS, readArcChain, sealHashInput, setFields } from "./arc-chain.js";
import { bodyHash, headerHashInput, parseHeader } from "./dkim-canon.js";
import {
  foldBase64,
  hList,
  privateKeyOf,
  SIGNED_FIELDS,
  type SigningKey,
  signatureField,
  signBytes,
} from "./dkim-sign.js";
import { loadDkimKeys } from "./keys.js";

/** What an ARC-Message-Signature covers: DKIM's fields and the DKIM-Signatures (as mailauth's
 *  sets did), every instance, bottom-up. Never an ARC field (RFC 8617 §4.1.2: not ARC-Seal). */
const AMS_FIELDS = new Set([...SIGNED_FIELDS, "dkim-signature"]);

export interface ArcSealOptions {
  dataDir: string;
  /** The forwarding domain (ours): its newest RSA DKIM key seals. */
  domain: string;
  /** Our Authentication-Results fields as the authenticate stage wrote them (work.authFields). */
  authFields: Buffer;
  /** Our ARC verdict on the message as it came in (AuthSummary.arc). */
  arc: string;
  now?: Date;
}

/** What happened, for the log: the seal fields to put on top, or why there are none. */
export type ArcSealOutcome = { sealed: true; fields: Buffer } | { sealed: false; reason: string };

/** The ARC set for `message` (the copy as it will leave, every field of ours included). */
export async function arcSeal(message: Buffer, opts: ArcSealOptions): Promise<ArcSealOutcome> {
  const cv = opts.arc === "pass" ? "pass" : opts.arc === "none" ? "none" : null;
  if (cv === null) return { sealed: false, reason: `arc=${opts.arc}: the chain it came with is broken` };
  const authResults = authResultsValue(opts.authFields);
  if (authResults === null) return { sealed: false, reason: "no Authentication-Results of ours to record" };
  const key = (await loadDkimKeys(opts.dataDir, opts.domain)).find((k) => k.algorithm === "rsa-sha256");
  if (!key) return { sealed: false, reason: `no RSA DKIM key for ${opts.domain}` };
  const header = parseHeader(message);
  const chain = readArcChain(message, header.fields);
  if ("error" in chain) return { sealed: false, reason: `its ARC chain does not read: ${chain.error}` };
  const sets = chain.sets;
  // Our verdict and the chain on the copy must agree (the copy is the message we verified).
  if ((cv === "none") !== (sets.length === 0))
    return { sealed: false, reason: `arc=${cv} but the copy carries ${sets.length} ARC set(s)` };
  if (sets.length >= MAX_ARC_SETS)
    return { sealed: false, reason: `the chain has ${MAX_ARC_SETS} sets already` };
  const i = sets.length + 1;
  const signer: SigningKey = {
    domain: key.domain,
    selector: key.selector,
    algorithm: "rsa-sha256",
    privateKey: privateKeyOf(key.privateKeyPem),
  };
  const t = Math.floor((opts.now ?? new Date()).getTime() / 1000);

  // ARC-Authentication-Results (§4.1.1): our Authentication-Results value, under our instance.
  const aar = Buffer.from(`ARC-Authentication-Results: i=${i}; ${authResults}`, "utf8");

  // ARC-Message-Signature (§4.1.2): a DKIM signature with i= and no v=, relaxed/relaxed.
  const selected = [];
  for (let k = header.fields.length - 1; k >= 0; k--) {
    const f = header.fields[k]!;
    if (AMS_FIELDS.has(f.lname)) selected.push(f);
  }
  const bh = (await bodyHash(message, header.bodyStart, { canon: "relaxed", algo: "sha256" })).hash;
  const amsHead = signatureField("ARC-Message-Signature", [
    `i=${i};`,
    "a=rsa-sha256;",
    "c=relaxed/relaxed;",
    `d=${key.domain};`,
    `s=${key.selector};`,
    `t=${t};`,
    ...hList(selected.map((f) => f.name)),
    `bh=${bh.toString("base64")};`,
  ]);
  const amsData = headerHashInput(message, selected, Buffer.from(amsHead, "latin1"), "relaxed");
  const ams = Buffer.from(amsHead + foldBase64(signBytes(signer, amsData).toString("base64")), "latin1");

  // ARC-Seal (§4.1.3): over every set before ours (cv=pass) and ours, its own b= empty.
  const asHead = signatureField("ARC-Seal", [
    `i=${i};`,
    "a=rsa-sha256;",
    `t=${t};`,
    `cv=${cv};`,
    `d=${key.domain};`,
    `s=${key.selector};`,
  ]);
  const asData = sealHashInput([...setFields(message, sets), aar, ams, Buffer.from(asHead, "latin1")]);
  const seal = Buffer.from(asHead + foldBase64(signBytes(signer, asData).toString("base64")), "latin1");
  const crlf = Buffer.from("\r\n");
  return { sealed: true, fields: Buffer.concat([seal, crlf, ams, crlf, aar, crlf]) };
}

/** The value of the first Authentication-Results field ("authserv-id; spf=pass ..."), as the
 *  ARC-Authentication-Results field takes it (RFC 8617 §4.1.1), folding kept. */
export function authResultsValue(fields: Buffer): string | null {
  const f = scanHeader(fields, 0, fields.length).fields.find((x) => x.lname === "authentication-results");
  if (!f) return null;
  const value = fields.subarray(f.valueStart, f.valueEnd).toString("utf8").trim();
  return value === "" ? null : value;
}
