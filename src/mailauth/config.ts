// [mailauth] section: DKIM signing of outbound mail, SPF/DKIM/DMARC/ARC checks of inbound mail,
// and the values `yubin domain dns` recommends for each domain's DNS records.
import { bool, int, oneOf, str, strList } from "../config/dsl.js";

export const mailauthSection = {
  signOutbound: bool(true, "DKIM-sign mail our users send to other domains (RFC 6376)."),
  algorithms: oneOf(
    ["ed25519+rsa", "rsa", "ed25519"] as const,
    "ed25519+rsa",
    "DKIM keys generated and signatures added: ed25519-sha256 (RFC 8463) and/or rsa-sha256. Receivers that do not know ed25519 ignore that signature, so both is the safe choice.",
  ),
  rsaBits: int(2048, "Size of generated DKIM RSA keys (RFC 8301 requires at least 1024).", {
    min: 1024,
    max: 4096,
  }),
  verifyInbound: bool(
    true,
    "Check SPF, DKIM, DMARC and ARC of mail arriving on port 25 and record them in an Authentication-Results header (RFC 8601).",
  ),
  enforceDmarcReject: bool(
    true,
    "Refuse with 550 5.7.1 mail that fails DMARC when the sender's domain publishes p=reject (RFC 7489 6.6.3).",
  ),
  quarantineToJunk: bool(
    true,
    "Deliver mail that fails DMARC under p=quarantine to the recipient's Junk mailbox.",
  ),
  verifyTimeoutMs: int(
    20000,
    "Most time the checks of one message may take; after it the message is accepted with temperror results.",
    { min: 100, max: 300000 },
  ),
  maxAuthorDomains: int(
    5,
    "Most distinct domains in the From field of an inbound message whose DMARC policies are checked (RFC 7489 6.6.1: each one, strictest wins); a message naming more is refused with 550 5.6.0.",
    { min: 1, max: 50 },
  ),
  maxDkimSignatures: int(
    10,
    "Most DKIM-Signature fields of an inbound message that are checked, from the top (RFC 6376 6.1); each costs a DNS lookup and a signature check, the rest are ignored.",
    { min: 1, max: 100 },
  ),
  minRsaBits: int(1024, "DKIM/ARC signatures made with shorter RSA keys do not pass.", {
    min: 512,
    max: 4096,
  }),
  authservId: str(
    "",
    "Name in our Authentication-Results headers (RFC 8601 2.5); empty = server.hostname. Such headers arriving from outside are removed.",
  ),
  recordDmarcPolicy: oneOf(
    ["none", "quarantine", "reject"] as const,
    "quarantine",
    "DMARC policy (p=) that `yubin domain dns` recommends publishing.",
  ),
  recordReportAddress: str(
    "",
    "Address for DMARC aggregate (rua) and TLS-RPT reports in the recommended records; empty = postmaster@<domain>.",
  ),
  recordMtaStsMode: oneOf(
    ["testing", "enforce", "none"] as const,
    "testing",
    "MTA-STS mode (RFC 8461) of the recommended policy; start with testing, then enforce.",
  ),
  recordSpfIps: strList(
    [],
    'Outgoing IP addresses to list in the recommended SPF record besides "mx" (for example ["192.0.2.10", "2001:db8::10"]).',
  ),
};
