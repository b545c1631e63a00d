// TLSA records (RFC 6698 2.1) and how SMTP uses them (RFC 7672 3): which records are usable,
// their presentation form, the "3 1 1" record of our own certificate, and whether a server's
// certificate chain matches a TLSA RRset.
//  - DANE-EE(3): the server's own certificate or public key matches; no name check and no
//    expiry check (RFC 7672 3.1.1: the DNS, not a CA, vouches for the key).
//  - DANE-TA(2): some certificate the server sent matches; the chain from the server's
//    certificate up to it must verify, and the server's certificate must be valid now and carry
//    the MX host name (RFC 7672 3.1.2, 3.2.2).
//  - PKIX-TA(0) / PKIX-EE(1) are unusable for SMTP (RFC 7672 3.1.3): there is no agreed set of
//    CAs for MX hosts. Neither are unknown selectors or matching types (RFC 6698 4.1).
import { createHash, createPublicKey, X509Certificate } from "node:crypto";

export interface TlsaRecord {
  usage: number;
  selector: number;
  matchingType: number;
  data: Buffer;
}

/** RFC 6698 2.2 presentation form: "3 1 1 <hex>". */
export function tlsaString(r: TlsaRecord): string {
  return `${r.usage} ${r.selector} ${r.matchingType} ${r.data.toString("hex")}`;
}

export function isUsable(r: TlsaRecord): boolean {
  return (r.usage === 2 || r.usage === 3) && (r.selector === 0 || r.selector === 1) && r.matchingType <= 2;
}

/** The bytes a selector picks: the whole certificate (0) or its SubjectPublicKeyInfo (1). */
function selected(cert: X509Certificate, selector: number): Buffer {
  return selector === 0 ? cert.raw : cert.publicKey.export({ type: "spki", format: "der" });
}

function digest(bytes: Buffer, matchingType: number): Buffer {
  if (matchingType === 1) return createHash("sha256").update(bytes).digest();
  if (matchingType === 2) return createHash("sha512").update(bytes).digest();
  return bytes;
}

export function certMatches(cert: X509Certificate, r: TlsaRecord): boolean {
  return digest(selected(cert, r.selector), r.matchingType).equals(r.data);
}

/** The "3 1 1" record for a certificate (or a bare public key, for a key not yet in use). */
export function spkiSha256(certOrKeyPem: string): string {
  const trimmed = certOrKeyPem.trim();
  const spki = trimmed.includes("CERTIFICATE")
    ? new X509Certificate(trimmed).publicKey.export({ type: "spki", format: "der" })
    : publicKeyDer(trimmed);
  return createHash("sha256").update(spki).digest("hex");
}

/** A private key's public half, or a public key, as SubjectPublicKeyInfo DER. */
function publicKeyDer(pem: string): Buffer {
  return createPublicKey(pem).export({ type: "spki", format: "der" });
}

export type TlsaVerdict =
  | { ok: true; matched: string }
  | {
      ok: false;
      reason: string;
      failure: "tlsa-invalid" | "certificate-host-mismatch" | "certificate-expired";
    };

/**
 * Checks the chain a server sent (its certificate first) against the usable records of a TLSA
 * RRset for `hostname` (the MX host name, RFC 7672 3.2.2's reference identifier).
 */
export function verifyChain(
  chain: X509Certificate[],
  records: TlsaRecord[],
  opts: { hostname: string; now?: Date },
): TlsaVerdict {
  const leaf = chain[0];
  if (!leaf) return { ok: false, reason: "the server sent no certificate", failure: "tlsa-invalid" };
  const usable = records.filter(isUsable);
  for (const r of usable) {
    if (r.usage === 3 && certMatches(leaf, r)) return { ok: true, matched: tlsaString(r) };
  }
  let taProblem: TlsaVerdict | null = null;
  for (const r of usable) {
    if (r.usage !== 2) continue;
    const at = chain.findIndex((c) => certMatches(c, r));
    if (at < 0) continue;
    const problem = checkTaChain(chain.slice(0, at + 1), opts);
    if (!problem) return { ok: true, matched: tlsaString(r) };
    taProblem = problem;
  }
  if (taProblem) return taProblem;
  const spki = createHash("sha256").update(selected(leaf, 1)).digest("hex");
  return {
    ok: false,
    reason: `certificate matches none of the TLSA records (its 3 1 1 would be ${spki})`,
    failure: "tlsa-invalid",
  };
}

/** DANE-TA: each certificate is signed by the next, up to the trust anchor; the server's
 *  certificate is current and names the host. */
function checkTaChain(path: X509Certificate[], opts: { hostname: string; now?: Date }): TlsaVerdict | null {
  for (let i = 0; i + 1 < path.length; i++) {
    const child = path[i]!;
    const parent = path[i + 1]!;
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey))
      return {
        ok: false,
        reason: "certificate chain does not lead to the TLSA trust anchor",
        failure: "tlsa-invalid",
      };
  }
  const leaf = path[0]!;
  const now = (opts.now ?? new Date()).getTime();
  if (now < Date.parse(leaf.validFrom) || now > Date.parse(leaf.validTo))
    return {
      ok: false,
      reason: `certificate not valid now (${leaf.validFrom} – ${leaf.validTo})`,
      failure: "certificate-expired",
    };
  if (!leaf.checkHost(opts.hostname, { subject: "default" }))
    return {
      ok: false,
      reason: `certificate is not valid for ${opts.hostname} (DANE-TA checks the name)`,
      failure: "certificate-host-mismatch",
    };
  return null;
}
