// Checks of mail arriving on port 25: SPF (RFC 7208) of MAIL FROM (or HELO) and the client IP,
// DKIM signatures (RFC 6376, RFC 8463, ours: dkim-verify.ts), ARC (RFC 8617, ours: arc-verify.ts)
// and DMARC (RFC 7489, ours: dmarc.ts) of the header From, SPF ours too (spf.ts), all with our
// DnsResolver (authenticate.ts), summed up in one Authentication-Results field (RFC 8601)
// and a Received-SPF field (RFC 7208 §9.1), plus what the DMARC policy asks us to do. With
// several author addresses DMARC is evaluated per author domain, strictest wins (authors.ts).
//
// Time bound: each DNS query is bounded by [dns] timeoutMs x tries, and the whole check by
// verifyTimeoutMs; past it the message gets temperror results and no policy is applied.

import type { DMARCResult } from "mailauth";
import type { DnsResolver } from "../dns/types.js";
import { type AuthenticateOutcome, authenticateMessage } from "./authenticate.js";
import { authorDomains, dmarcPerAuthor } from "./authors.js";
import { KeyCache } from "./dkim-verify.js";

/** What to do with the message. "defer": DMARC would reject, but a check failed temporarily
 *  (DNS), so the sender should retry rather than be refused for good (RFC 7489 §6.6.2). */
export type DmarcAction = "none" | "quarantine" | "reject" | "defer";

export interface InboundMessage {
  body: Buffer;
  ip: string;
  helo: string | null;
  mailFrom: string; // "" for the null reverse-path
  /** The From mailboxes as our own parser reads them (authors.ts); their domains are checked too. */
  authors?: string[];
}

export interface InboundVerdict {
  /** "Authentication-Results: …\r\n" (folded), to prepend to the stored message. */
  authResultsHeader: string;
  /** "Received-SPF: …\r\n", or "" when SPF was not evaluated. */
  receivedSpfHeader: string;
  spf: string; // pass | fail | softfail | neutral | none | temperror | permerror
  dkim: { domain: string; selector: string; result: string; aligned: boolean }[];
  arc: string;
  /** The DMARC result that decided the action: the strictest of the author domains'. */
  dmarc: { result: string; domain: string; policy: string } | null;
  dmarcPolicyAction: DmarcAction;
  /** Distinct author (From) domains; null when the checks did not run to the end. When above
   *  maxAuthorDomains, DMARC was not evaluated and the message must not be delivered. */
  authorDomains: number | null;
  timedOut: boolean;
}

export interface InboundVerifierOptions {
  resolver: DnsResolver;
  authservId: string;
  timeoutMs: number;
  minRsaBits: number;
  /** Most author domains whose DMARC policy is looked up for one message (bounds DNS work). */
  maxAuthorDomains: number;
  /** Most DKIM-Signature fields of one message that are evaluated (each costs a DNS lookup and a
   *  signature check); default 10. */
  maxDkimSignatures?: number;
  /** For DMARC pct= sampling (RFC 7489 §6.6.4); returns [0, 1). */
  random?: () => number;
}

export interface InboundVerifier {
  verify(msg: InboundMessage): Promise<InboundVerdict>;
}

export function createInboundVerifier(opts: InboundVerifierOptions): InboundVerifier {
  const resolve = (name: string, rrtype: string) => opts.resolver.resolve(name, rrtype) as Promise<string[]>;
  const random = opts.random ?? Math.random;
  // Parsed DKIM keys by their DNS text, for as long as this verifier lives (one per app).
  const keys = new KeyCache();
  return {
    async verify(msg) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<null>((res) => {
        timer = setTimeout(() => res(null), opts.timeoutMs);
      });
      // BIMI is not evaluated: it is for mail clients showing logos, not a delivery decision.
      const run = authenticateMessage(msg.body, {
        ip: msg.ip,
        helo: msg.helo ?? undefined,
        sender: msg.mailFrom,
        mta: opts.authservId,
        resolver: resolve,
        minBitLength: opts.minRsaBits,
        maxSignatures: opts.maxDkimSignatures ?? 10,
        keys,
      }).then(async (res) => ({ res, ...(await dmarcOfAuthors(res, msg.authors ?? [], resolve, opts)) }));
      // A late result after the timeout is dropped; its lookups end with their own DNS timeouts.
      run.catch(() => {});
      try {
        const res = await Promise.race([run, timeout]);
        if (!res) return unavailable(opts.authservId, "verification timed out", true);
        return verdictOf(res, opts.authservId, random);
      } catch (e) {
        return unavailable(opts.authservId, `verification failed: ${(e as Error).message}`, false);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

interface AuthorsChecked {
  /** One result per author domain ([] when there are none, or too many to look up). */
  dmarcs: DMARCResult[];
  domains: number;
  /** Results authenticate.ts did not write into its Authentication-Results field. */
  extraAr: string[];
}

async function dmarcOfAuthors(
  res: AuthenticateOutcome,
  ours: string[],
  resolver: (name: string, rrtype: string) => Promise<string[]>,
  opts: InboundVerifierOptions,
): Promise<AuthorsChecked> {
  const theirs = res.dkim.headerFrom ?? [];
  const domains = authorDomains([...theirs, ...ours]);
  // authenticate.ts evaluated DMARC only for a single From address (then it is in its field already).
  const known =
    res.dmarc && theirs.length === 1 ? { domain: authorDomains(theirs)[0] ?? "", result: res.dmarc } : null;
  if (domains.length > opts.maxAuthorDomains) return { dmarcs: [], domains: domains.length, extraAr: [] };
  const spfDomains = res.spf && res.spf.status.result === "pass" && res.spf.domain ? [res.spf.domain] : [];
  const dmarcs = await dmarcPerAuthor({
    domains,
    known,
    spfDomains,
    dkimDomains: res.dkim.results
      .filter((r) => r.status.result === "pass")
      .map((r) => ({
        id: r.id,
        domain: r.signingDomain ?? "",
        aligned: Boolean(r.status.aligned),
        underSized: Boolean(r.status.underSized),
      })),
    arcResult: res.arc || undefined,
    resolveTxt: (name) => resolver(name, "TXT") as unknown as Promise<string[][]>,
  });
  const extraAr = dmarcs.filter((d) => d !== known?.result).map((d) => d.info);
  return { dmarcs, domains: domains.length, extraAr };
}

const ACTION_RANK: Record<DmarcAction, number> = { none: 0, quarantine: 1, defer: 2, reject: 3 };

function verdictOf(
  { res, dmarcs, domains, extraAr }: { res: AuthenticateOutcome } & AuthorsChecked,
  authservId: string,
  random: () => number,
): InboundVerdict {
  const spf = res.spf ? res.spf.status.result : "none";
  const dkim = res.dkim.results.map((r) => ({
    domain: r.signingDomain ?? "",
    selector: r.selector ?? "",
    result: r.status.result,
    aligned: Boolean(r.status.aligned),
  }));
  const arc = res.arc ? res.arc.status.result : "none";
  const temporary =
    spf === "temperror" || dkim.some((d) => d.result === "temperror" || d.result === "temperr");
  // RFC 7489 §6.6.1: with several author domains, the strictest policy outcome applies.
  let dmarc: InboundVerdict["dmarc"] = null;
  let action: DmarcAction = "none";
  for (const d of dmarcs) {
    const one = { result: d.status.result ?? "none", domain: d.domain, policy: d.policy ?? "none" };
    const a = policyAction(one, d.pct, temporary, random);
    if (dmarc === null || ACTION_RANK[a] > ACTION_RANK[action]) {
      dmarc = one;
      action = a;
    }
  }
  const { arHeader, spfHeader } = splitHeaders(res.headers, authservId);
  return {
    authResultsHeader:
      extraAr.length === 0
        ? arHeader
        : `${arHeader.slice(0, -2)}${extraAr.map((info) => `;\r\n ${info}`).join("")}\r\n`,
    receivedSpfHeader: spfHeader,
    spf,
    dkim,
    arc,
    dmarc,
    dmarcPolicyAction: action,
    authorDomains: domains,
    timedOut: false,
  };
}

/** RFC 7489 §6.6.4: with pct below 100, messages not sampled get the next weaker policy. */
export function policyAction(
  dmarc: { result: string; policy: string } | null,
  pct: number | undefined,
  temporary: boolean,
  random: () => number,
): DmarcAction {
  if (dmarc?.result !== "fail") return "none";
  let policy = dmarc.policy.toLowerCase();
  if (policy !== "reject" && policy !== "quarantine") return "none";
  const p = pct === undefined || !Number.isFinite(pct) ? 100 : Math.max(0, Math.min(100, pct));
  if (p < 100 && random() * 100 >= p) policy = policy === "reject" ? "quarantine" : "none";
  if (policy === "reject") return temporary ? "defer" : "reject";
  return policy === "quarantine" ? "quarantine" : "none";
}

// authenticate.ts returns "Received-SPF: …\r\nAuthentication-Results: …\r\n", as mailauth did.
// Keep the two fields apart so callers can choose.
function splitHeaders(headers: string, authservId: string): { arHeader: string; spfHeader: string } {
  const lines = headers.split("\r\n");
  const fields: string[] = [];
  for (const l of lines) {
    if (l === "") continue;
    if ((l.startsWith(" ") || l.startsWith("\t")) && fields.length > 0)
      fields[fields.length - 1] += `\r\n${l}`;
    else fields.push(l);
  }
  const ar = fields.find((f) => /^authentication-results:/i.test(f));
  const spf = fields.find((f) => /^received-spf:/i.test(f));
  return {
    arHeader: ar ? `${ar}\r\n` : `Authentication-Results: ${authservId}; none\r\n`,
    spfHeader: spf ? `${spf}\r\n` : "",
  };
}

function unavailable(authservId: string, why: string, timedOut: boolean): InboundVerdict {
  const reason = ` reason="${why.replace(/[\\"\r\n]/g, " ").slice(0, 200)}"`;
  return {
    authResultsHeader:
      `Authentication-Results: ${authservId};\r\n spf=temperror${reason};\r\n` +
      ` dkim=temperror${reason};\r\n dmarc=temperror${reason}\r\n`,
    receivedSpfHeader: "",
    spf: "temperror",
    dkim: [],
    arc: "none",
    dmarc: null,
    dmarcPolicyAction: "none",
    authorDomains: null,
    timedOut,
  };
}
