// Checks of mail arriving on port 25: SPF (RFC 7208) of MAIL FROM (or HELO) and the client IP,
// DKIM signatures (RFC 6376, RFC 8463), ARC (RFC 8617) and DMARC (RFC 7489) of the header From,
// all by mailauth with our DnsResolver, summed up in one Authentication-Results field (RFC 8601)
// and a Received-SPF field (RFC 7208 §9.1), plus what the DMARC policy asks us to do.
//
// Time bound: each DNS query is bounded by [dns] timeoutMs x tries, and the whole check by
// verifyTimeoutMs; past it the message gets temperror results and no policy is applied.

import type { AuthenticateResult } from "mailauth";
import { authenticate } from "mailauth";
import type { DnsResolver } from "../dns/types.js";
import { inChunks } from "./chunks.js";

/** What to do with the message. "defer": DMARC would reject, but a check failed temporarily
 *  (DNS), so the sender should retry rather than be refused for good (RFC 7489 §6.6.2). */
export type DmarcAction = "none" | "quarantine" | "reject" | "defer";

export interface InboundMessage {
  body: Buffer;
  ip: string;
  helo: string | null;
  mailFrom: string; // "" for the null reverse-path
}

export interface InboundVerdict {
  /** "Authentication-Results: …\r\n" (folded), to prepend to the stored message. */
  authResultsHeader: string;
  /** "Received-SPF: …\r\n", or "" when SPF was not evaluated. */
  receivedSpfHeader: string;
  spf: string; // pass | fail | softfail | neutral | none | temperror | permerror
  dkim: { domain: string; selector: string; result: string; aligned: boolean }[];
  arc: string;
  dmarc: { result: string; domain: string; policy: string } | null;
  dmarcPolicyAction: DmarcAction;
  timedOut: boolean;
}

export interface InboundVerifierOptions {
  resolver: DnsResolver;
  authservId: string;
  timeoutMs: number;
  minRsaBits: number;
  /** For DMARC pct= sampling (RFC 7489 §6.6.4); returns [0, 1). */
  random?: () => number;
}

export interface InboundVerifier {
  verify(msg: InboundMessage): Promise<InboundVerdict>;
}

export function createInboundVerifier(opts: InboundVerifierOptions): InboundVerifier {
  const resolve = (name: string, rrtype: string) => opts.resolver.resolve(name, rrtype) as Promise<string[]>;
  const random = opts.random ?? Math.random;
  return {
    async verify(msg) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<null>((res) => {
        timer = setTimeout(() => res(null), opts.timeoutMs);
      });
      const run = authenticate(inChunks(msg.body), {
        ip: msg.ip,
        helo: msg.helo ?? undefined,
        sender: msg.mailFrom,
        mta: opts.authservId,
        resolver: resolve,
        minBitLength: opts.minRsaBits,
        disableBimi: true, // BIMI is for mail clients showing logos; not a delivery decision
      });
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

function verdictOf(res: AuthenticateResult, authservId: string, random: () => number): InboundVerdict {
  const spf = res.spf ? res.spf.status.result : "none";
  const dkim = res.dkim.results.map((r) => ({
    domain: r.signingDomain ?? "",
    selector: r.selector ?? "",
    result: r.status.result,
    aligned: Boolean(r.status.aligned),
  }));
  const arc = res.arc ? res.arc.status.result : "none";
  const dmarc = res.dmarc
    ? { result: res.dmarc.status.result, domain: res.dmarc.domain, policy: res.dmarc.policy ?? "none" }
    : null;
  const temporary =
    spf === "temperror" || dkim.some((d) => d.result === "temperror" || d.result === "temperr");
  const { arHeader, spfHeader } = splitHeaders(res.headers, authservId);
  return {
    authResultsHeader: arHeader,
    receivedSpfHeader: spfHeader,
    spf,
    dkim,
    arc,
    dmarc,
    dmarcPolicyAction: policyAction(dmarc, res.dmarc ? res.dmarc.pct : undefined, temporary, random),
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

// mailauth returns "Received-SPF: …\r\nAuthentication-Results: …\r\n" (and ARC seal fields only
// when asked to seal, which we do not). Keep the two fields apart so callers can choose.
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
    timedOut,
  };
}
