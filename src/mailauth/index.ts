// Mail authentication: DKIM signing of our users' mail, and SPF / DKIM / DMARC / ARC checks of
// mail arriving on port 25, with our DnsResolver (src/dns): DKIM and ARC by our own code
// (dkim-canon.ts, dkim-sign.ts, dkim-verify.ts, arc-*.ts: mailauth's misread raw UTF-8 fields),
// DMARC by our own code too (dmarc.ts, dmarc-record.ts, org-domain.ts: mailauth's cost CPU and
// never applied strict alignment), SPF by the mailauth library (authenticate.ts).
//
// Invariants:
//  - Every DNS lookup goes through the DnsResolver built from [dns]; nothing calls node:dns.
//  - A check never delays a message beyond [mailauth] verifyTimeoutMs; then it is accepted with
//    temperror results and no policy is applied.
//  - Signing never stops mail: a missing or broken key means the message leaves unsigned (logged).
//  - Only mail from our users is signed (submission), never mail relayed from port 25.
//  - Authentication-Results naming our authserv-id are removed from every incoming message.
//  - Private keys: <dataDir>/dkim/<domain>/<selector>.key, mode 0600, directory 0700.
//  - At most [mailauth] maxDkimSignatures DKIM signatures of a message are evaluated.
//
// keys.ts (generate, load, rotate), sign.ts, verify.ts, inbound.ts (what the MX does with the
// verdict), auth-results.ts (RFC 8601 §5 stripping), records.ts (`yubin domain dns`, DNS check),
// services.ts (one signer/verifier per running app).

export { authservIdOf, stripOwnAuthResults } from "./auth-results.js";
export { mailauthSection } from "./config.js";
export { checkInbound, type InboundDecision, type InboundOutcome, junkTargets } from "./inbound.js";
export {
  activeKeys,
  algorithmsOf,
  type DkimAlgorithm,
  type DkimKey,
  DkimKeyError,
  dkimDir,
  ensureDkimKeys,
  generateDkimKeys,
  loadDkimKeys,
} from "./keys.js";
export {
  checkDnsRecords,
  type DnsRecord,
  dnsRecordsFor,
  mtaStsPolicy,
  type RecordCheck,
  type RecordPurpose,
  type RecordStatus,
  zoneLine,
} from "./records.js";
export { type MailAuth, mailauthFor } from "./services.js";
export { createDkimSigner, type DkimSigner, type DkimSignerOptions, signingDomain } from "./sign.js";
export {
  createInboundVerifier,
  type DmarcAction,
  type InboundMessage,
  type InboundVerdict,
  type InboundVerifier,
  policyAction,
} from "./verify.js";
