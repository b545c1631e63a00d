// DKIM signing of outbound mail (RFC 6376 §5; ed25519-sha256 per RFC 8463). The signing domain is
// the domain of the header From (RFC 7489 §3.1.1: DMARC needs d= aligned with it), and only a
// domain for which we hold keys is signed; anything else passes through unchanged.
//
// The signatures are ours (dkim-sign.ts, and why not mailauth's there); the body is hashed in
// slices with turns of the event loop between them, and RSA/ed25519 signing is a millisecond or
// two, so signing even a large message does not hold the event loop for long.
import { normalizeDomain } from "../delivery/address.js";
import { MISSING_DOMAIN, MISSING_MAILBOX, parseAddressList } from "../mime/address.js";
import { fieldValue, scanHeader } from "../mime/headers.js";
import { dkimSignatures, privateKeyOf } from "./dkim-sign.js";
import { activeKeys, type DkimAlgorithm, type DkimKey, keyDirVersion, loadDkimKeys } from "./keys.js";

export interface DkimSignerOptions {
  dataDir: string;
  algorithms: DkimAlgorithm[];
  /** Only these domains are signed (our domains); default: any domain with keys on disk. */
  isOurDomain?: (domain: string) => Promise<boolean>;
  /** Logged, never thrown: a signing problem must not stop mail. */
  onError?: (err: Error, domain: string) => void;
  now?: () => Date;
}

export interface DkimSigner {
  /** The message with DKIM-Signature fields prepended, or unchanged when there is nothing to sign
   *  with. `from` (a domain or an address) overrides the domain taken from the header From. */
  sign(body: Buffer, from?: string): Promise<Buffer>;
}

export function createDkimSigner(opts: DkimSignerOptions): DkimSigner {
  // Keys per domain, reloaded when the key directory changes (`yubin dkim rotate` while running).
  const cache = new Map<string, { version: number; keys: DkimKey[] }>();

  async function keysFor(domain: string): Promise<DkimKey[]> {
    const version = await keyDirVersion(opts.dataDir, domain);
    if (version < 0) return [];
    const hit = cache.get(domain);
    if (hit && hit.version === version) return hit.keys;
    const keys = activeKeys(await loadDkimKeys(opts.dataDir, domain), opts.algorithms);
    cache.set(domain, { version, keys });
    return keys;
  }

  return {
    async sign(body, from) {
      const domain = signingDomain(body, from);
      if (!domain) return body;
      try {
        if (opts.isOurDomain && !(await opts.isOurDomain(domain))) return body;
        const keys = await keysFor(domain);
        if (keys.length === 0) return body;
        const signingKeys = [];
        for (const k of keys) {
          try {
            signingKeys.push({
              domain,
              selector: k.selector,
              algorithm: k.algorithm,
              privateKey: privateKeyOf(k.privateKeyPem),
            });
          } catch (e) {
            opts.onError?.(e as Error, domain); // a broken key file: sign with the others
          }
        }
        const fields = await dkimSignatures(body, signingKeys, opts.now?.() ?? new Date());
        if (!fields) return body;
        return Buffer.concat([Buffer.from(fields, "latin1"), body]);
      } catch (e) {
        opts.onError?.(e as Error, domain);
        return body;
      }
    },
  };
}

/** The domain to sign for: `from` if given, else the header From's (one address, RFC 6376 §5.4). */
export function signingDomain(body: Buffer, from?: string): string | null {
  if (from) {
    const at = from.lastIndexOf("@");
    const d = at >= 0 ? from.slice(at + 1) : from;
    return d ? normalizeDomain(d) : null;
  }
  const { fields } = scanHeader(body, 0, body.length);
  const froms = fields.filter((f) => f.lname === "from");
  if (froms.length !== 1) return null;
  const addrs = parseAddressList(fieldValue(body, froms[0]!)).filter(
    (a) => a.mailbox !== null && a.host !== null,
  );
  // Several From addresses: DMARC cannot apply (RFC 7489 §6.6.1), and a signer picks one; take the first.
  const a = addrs[0];
  if (!a?.host || a.host === MISSING_DOMAIN || a.mailbox === MISSING_MAILBOX) return null;
  return normalizeDomain(a.host);
}
