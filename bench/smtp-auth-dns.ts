// The sending side of bench:smtp with inbound checks on: what a well-configured sender's domain
// publishes, served by an in-process DNS server (src/testing/dns-server.ts, 127.0.0.1 only) that
// the server under test uses as its [dns] servers, and the DKIM key its mail is signed with.
//   - SPF (RFC 7208): "v=spf1 ip4:127.0.0.1 -all" for the MAIL FROM domain and the HELO name;
//   - DKIM (RFC 6376 3.6.1): a 2048-bit RSA key made here at start, selector "bench";
//   - DMARC (RFC 7489 6.3): "p=reject", so a failing check would refuse the message, not pass it;
//   - PTR 1.0.0.127.in-addr.arpa and its A record: forward-confirmed reverse DNS passes.
// The bench's messages differ (Subject, Message-ID), so each is signed by the client before the
// timed part: the signer's CPU is the client's, never counted in the server's figures. They are
// signed and checked with Yubin's own DKIM code (src/mailauth/dkim-sign.ts, dkim-verify.ts), the
// code our outbound mail and the server under test use.
import { generateKeyPairSync } from "node:crypto";
import { parseHeader } from "../src/mailauth/dkim-canon.js";
import { dkimSignatures } from "../src/mailauth/dkim-sign.js";
import { KeyCache, verifyDkim } from "../src/mailauth/dkim-verify.js";
import { type DnsServer, startDnsServer } from "../src/testing/dns-server.js";

export const SENDER_DOMAIN = "remote.example";
export const SENDER_HELO = `mail.${SENDER_DOMAIN}`;
const SELECTOR = "bench";

export interface SenderDns {
  /** For the server's [dns] servers key. */
  servers: string[];
  /** The message with a DKIM-Signature (rsa-sha256, relaxed/relaxed) prepended, checked here
   *  with mailauth's own verifier first (see `resigned`). */
  sign(message: string): Promise<string>;
  /** Messages signed again under an extra header because the first signature did not verify.
   *  Expected 0: until 2026-12-07 the bench signed with mailauth's dkimSign without a signTime,
   *  and about 1 in 1,000 of those signatures carried a t= one second later than the one signed
   *  (mailauth computes t= twice; docs/ARCHITECTURE.md, mail authentication). */
  resigned(): number;
  /** Queries the server under test sent here so far ("name TYPE"): with its cache, a handful. */
  queries(): string[];
  stop(): Promise<void>;
}

export async function startSenderDns(): Promise<SenderDns> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const p = publicKey.export({ type: "spki", format: "der" }).toString("base64");
  const dns: DnsServer = await startDnsServer([
    { name: SENDER_DOMAIN, type: "TXT", value: "v=spf1 ip4:127.0.0.1 -all" },
    { name: SENDER_HELO, type: "TXT", value: "v=spf1 ip4:127.0.0.1 -all" },
    { name: SENDER_HELO, type: "A", value: "127.0.0.1" },
    { name: `${SELECTOR}._domainkey.${SENDER_DOMAIN}`, type: "TXT", value: `v=DKIM1; k=rsa; p=${p}` },
    { name: `_dmarc.${SENDER_DOMAIN}`, type: "TXT", value: "v=DMARC1; p=reject; adkim=r; aspf=r" },
    { name: "1.0.0.127.in-addr.arpa", type: "PTR", value: SENDER_HELO },
  ]);
  const keyTxt = `v=DKIM1; k=rsa; p=${p}`;
  const resolveTxt = async (name: string): Promise<string[][]> => {
    if (name === `${SELECTOR}._domainkey.${SENDER_DOMAIN}`) return [[keyTxt]];
    throw Object.assign(new Error(`${name} TXT: not in the bench's zone`), { code: "ENOTFOUND" });
  };
  const keys = new KeyCache();
  const key = { domain: SENDER_DOMAIN, selector: SELECTOR, algorithm: "rsa-sha256" as const, privateKey };
  const signOnce = async (message: string): Promise<string> =>
    (await dkimSignatures(Buffer.from(message, "latin1"), [key], new Date())) + message;
  let resigned = 0;
  const MAX_ATTEMPTS = 5;
  return {
    servers: dns.servers,
    async sign(message) {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const signed = await signOnce(attempt === 0 ? message : `X-Bench-Attempt: ${attempt}\r\n${message}`);
        const b = Buffer.from(signed, "latin1");
        const v = await verifyDkim(b, parseHeader(b), [], {
          resolveTxt,
          minRsaBits: 1024,
          maxSignatures: 1,
          keys,
        });
        if (v[0]?.status.result === "pass") return signed;
        resigned++;
      }
      throw new Error(`DKIM: no passing signature in ${MAX_ATTEMPTS} attempts`);
    },
    resigned: () => resigned,
    queries: () => dns.queries,
    stop: () => dns.stop(),
  };
}

/** What the server's "message accepted" log lines say of the checks: how many lines, and how many
 *  had SPF, DKIM (our domain) and DMARC all pass. The bench fails unless every message did, so it
 *  can never again measure with the checks silently off (or failing fast). */
export function mailauthVerdicts(log: string): {
  accepted: number;
  allPass: number;
  firstOther: string | null;
} {
  let accepted = 0;
  let allPass = 0;
  let firstOther: string | null = null;
  const wantDkim = `dkim=${SENDER_DOMAIN}:pass`;
  for (const line of log.split("\n")) {
    if (!line.includes('"message accepted"')) continue;
    accepted++;
    let verdicts = "";
    try {
      verdicts = String((JSON.parse(line) as { verdicts?: unknown }).verdicts ?? "");
    } catch {
      // not a whole JSON line: counted as not passing
    }
    const v = verdicts.split(" ");
    if (v.includes("spf=pass") && v.includes(wantDkim) && v.includes("dmarc=pass")) allPass++;
    else firstOther ??= line;
  }
  return { accepted, allPass, firstOther };
}
