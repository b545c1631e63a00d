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
import { sealMessage } from "mailauth";
import { scanHeader } from "../mime/headers.js";
import { inChunks } from "./chunks.js";
import { loadDkimKeys } from "./keys.js";

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
  const fields = await sealMessage(inChunks(message), {
    signingDomain: key.domain,
    selector: key.selector,
    privateKey: key.privateKeyPem,
    algorithm: "rsa-sha256",
    canonicalization: "relaxed/relaxed",
    // mailauth's seal options carry these too (lib/arc createSeal), beyond its typed subset.
    ...({ authResults, cv, signTime: opts.now ?? new Date() } as object),
  });
  if (fields.length === 0) return { sealed: false, reason: "mailauth made no seal" };
  return { sealed: true, fields };
}

/** The value of the first Authentication-Results field ("authserv-id; spf=pass ..."), as the
 *  ARC-Authentication-Results field takes it (RFC 8617 §4.1.1), folding kept. */
export function authResultsValue(fields: Buffer): string | null {
  const f = scanHeader(fields, 0, fields.length).fields.find((x) => x.lname === "authentication-results");
  if (!f) return null;
  const value = fields.subarray(f.valueStart, f.valueEnd).toString("utf8").trim();
  return value === "" ? null : value;
}
