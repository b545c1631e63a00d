// ACME problem documents (RFC 8555 6.7) turned into what an admin can act on. The CA's own
// detail is kept after our sentence: it names the address it tried and what it got.

/** An RFC 7807 problem document as ACME servers send them (also inside a failed challenge). */
export interface AcmeProblem {
  type?: string;
  detail?: string;
  status?: number;
  identifier?: { type: string; value: string };
  subproblems?: AcmeProblem[];
}

/** A failed order, classified. `kind` is the ACME error type without its URN prefix. */
export class AcmeError extends Error {
  readonly kind: string;
  /** Seconds the CA asked us to wait (Retry-After of a rateLimited answer). */
  readonly retryAfterSec: number | undefined;
  constructor(kind: string, message: string, retryAfterSec?: number) {
    super(message);
    this.name = "AcmeError";
    this.kind = kind;
    this.retryAfterSec = retryAfterSec;
  }
}

const PREFIX = "urn:ietf:params:acme:error:";

/** What to do about a problem of `kind` for `name` (the identifier the problem is about, when
 *  known); `challenge` is the challenge type that was being validated. */
function advice(kind: string, name: string, challenge: string | undefined, retryAfterSec?: number): string {
  const where =
    challenge === "tls-alpn-01"
      ? `https://${name}/ (port 443, TLS-ALPN-01)`
      : `http://${name}/.well-known/acme-challenge/… (port 80)`;
  switch (kind) {
    case "connection":
      return `the ACME server could not reach ${where} — is the port open to the Internet and does ${name} point at this server?`;
    case "dns":
      return `the ACME server could not resolve ${name} — does ${name} have an A or AAAA record pointing at this server?`;
    case "unauthorized":
    case "incorrectResponse":
      return `the ACME server reached ${where} but another answer came back — does ${name} point at this server, and not at another host or a proxy?`;
    case "tls":
      return `the TLS connection of the ACME server to ${name} failed — does ${name} point at this server?`;
    case "caa":
      return `a CAA record of ${name} (or a parent domain) forbids this CA to issue — add one naming it (for Let's Encrypt: 0 issue "letsencrypt.org") or remove the record`;
    case "rateLimited":
      return `the ACME server's rate limit was hit${retryAfterSec ? `; retrying after ${Math.ceil(retryAfterSec / 60)} minutes` : ""} — use the staging directory ([acme] directoryUrl) while testing a setup`;
    case "rejectedIdentifier":
      return `the CA will not issue for ${name} — is it a public name you own?`;
    case "invalidContact":
    case "unsupportedContact":
      return `the CA refused the contact address — check [acme] email`;
    case "externalAccountRequired":
      return `this CA requires an external account binding, which Yubin does not support — use another CA`;
    case "userActionRequired":
      return `the CA requires an action of the account holder (new terms of service?) — see the CA's site`;
    case "badCSR":
      return `the CA refused the certificate request — check [acme] keyType`;
    case "serverInternal":
      return `the ACME server had an internal error; it will be tried again`;
    default:
      return `the ACME server refused the order (${kind || "unknown error"})`;
  }
}

/** The AcmeError for a problem document; subproblems (one per name, RFC 8555 6.7.1) are listed. */
export function problemToError(
  p: AcmeProblem,
  opts: { challenge?: string; retryAfterSec?: number } = {},
): AcmeError {
  const kind = (p.type ?? "").startsWith(PREFIX) ? (p.type ?? "").slice(PREFIX.length) : (p.type ?? "");
  const sub = (p.subproblems ?? []).slice(0, 10);
  if (
    sub.length > 0 &&
    (kind === "malformed" || kind === "compound" || kind === "rejectedIdentifier" || kind === "caa")
  ) {
    const parts = sub.map((s) => problemToError(s, opts).message);
    const first = sub[0]?.type?.startsWith(PREFIX) ? sub[0].type.slice(PREFIX.length) : kind;
    return new AcmeError(first, parts.join("; "), opts.retryAfterSec);
  }
  const name = p.identifier?.value ?? nameInDetail(p.detail ?? "") ?? "the name";
  // Some CAs (Pebble) report a name that does not resolve as a connection problem.
  if (
    kind === "connection" &&
    /could not resolve|NXDOMAIN|no valid (A|AAAA)|DNS problem/i.test(p.detail ?? "")
  )
    return problemToError({ ...p, type: `${PREFIX}dns` }, opts);
  const text = advice(kind, name, opts.challenge, opts.retryAfterSec);
  const detail = (p.detail ?? "").replace(/\s+/g, " ").trim().slice(0, 500);
  return new AcmeError(kind || "unknown", detail ? `${text} (CA: ${detail})` : text, opts.retryAfterSec);
}

/** A host name the CA's detail text mentions, when the problem carries no identifier. */
function nameInDetail(detail: string): string | undefined {
  return /\b([a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})+)\b/i.exec(detail)?.[1];
}

/** An error that is not a problem document (network, DNS of the CA itself, a timeout). */
export function otherError(e: unknown, directoryUrl: string): AcmeError {
  if (e instanceof AcmeError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: string } | null)?.code ?? "";
  if (
    /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|certificate|self.signed/i.test(
      `${code} ${msg}`,
    )
  )
    return new AcmeError(
      "network",
      `could not talk to the ACME server at ${directoryUrl} (${code || msg}) — is outbound HTTPS allowed, and is [acme] directoryUrl right (a private CA needs [acme] caFile)?`,
    );
  return new AcmeError("unknown", `ACME order failed: ${msg}`);
}
