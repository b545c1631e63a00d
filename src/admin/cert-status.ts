// What the admin needs to know about the TLS certificate every listener serves: who it is for,
// whether it covers the names clients use, who issued it, and how long it has left.
import { X509Certificate } from "node:crypto";

export interface CertStatus {
  subject: string;
  issuer: string;
  names: string[]; // DNS names and IP addresses of subjectAltName
  notBefore: Date;
  notAfter: Date;
  daysLeft: number;
  selfSigned: boolean;
  /** For each host name asked about: covered by the certificate? */
  covers: { host: string; ok: boolean }[];
  fingerprint256: string;
}

/** Status of the first certificate of a PEM chain (the server's own). */
export function certStatus(pemChain: string, hosts: string[], now: Date = new Date()): CertStatus {
  const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pemChain)?.[0];
  if (!first) throw new Error("no certificate in PEM");
  const cert = new X509Certificate(first);
  const names = (cert.subjectAltName ?? "")
    .split(/,\s*/)
    .map((n) => n.replace(/^(DNS|IP Address):/, ""))
    .filter(Boolean);
  const notAfter = new Date(cert.validTo);
  // Self-signed: issued by itself and verified by its own key (not merely equal names).
  const selfSigned = cert.issuer === cert.subject && cert.verify(cert.publicKey);
  return {
    subject: cert.subject.replace(/\n/g, ", "),
    issuer: cert.issuer.replace(/\n/g, ", "),
    names,
    notBefore: new Date(cert.validFrom),
    notAfter,
    daysLeft: Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000),
    selfSigned,
    covers: hosts.map((host) => ({ host, ok: cert.checkHost(host) !== undefined })),
    fingerprint256: cert.fingerprint256,
  };
}
