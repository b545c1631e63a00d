// The inbound checks of one message, in the order and with the output of mailauth's
// authenticate(): DKIM (ours, dkim-verify.ts), SPF (ours, spf.ts), ARC (ours, arc-verify.ts), DMARC
// (ours, dmarc.ts), then one Received-SPF and one Authentication-Results field. DKIM and ARC run on the
// Buffer we hold, parsed once, instead of mailauth's stream parser.
import { isIP } from "node:net";
import type { DMARCResult } from "mailauth";
import { type ArcResult, verifyArc } from "./arc-verify.js";
import { parseHeader } from "./dkim-canon.js";
import { type DkimResult, type KeyCache, verifyDkim } from "./dkim-verify.js";
import { evaluateDmarc } from "./dmarc.js";
import { foldLine } from "./fold.js";
import { fromAddresses } from "./from-address.js";
import { checkSpf, type SpfOutcome } from "./spf.js";

export type Resolve = (name: string, rrtype: string) => Promise<string[]>;

export interface AuthenticateOptions {
  ip: string;
  helo?: string | undefined;
  /** MAIL FROM; "" for the null reverse-path. */
  sender: string;
  /** Our authserv-id (RFC 8601 §2.5). */
  mta: string;
  resolver: Resolve;
  minBitLength: number;
  maxSignatures: number;
  keys: KeyCache;
}

export interface AuthenticateOutcome {
  dkim: { results: DkimResult[]; headerFrom: string[] };
  spf: SpfOutcome | false;
  arc: ArcResult;
  dmarc: DMARCResult | false;
  /** "Received-SPF: …\r\nAuthentication-Results: …\r\n" */
  headers: string;
}

export async function authenticateMessage(
  body: Buffer,
  opts: AuthenticateOptions,
): Promise<AuthenticateOutcome> {
  const header = parseHeader(body);
  const headerFrom: string[] = [];
  for (const f of header.fields) {
    if (f.lname !== "from") continue;
    // As mailauth reads it (nodemailer's parser over the field as latin1), so DMARC's input is
    // what it was; our own parser's reading is added by authors.ts.
    headerFrom.push(...fromAddresses(body.toString("latin1", f.valueStart, f.valueEnd).trim()));
  }
  const resolveTxt = (name: string) => opts.resolver(name, "TXT") as unknown as Promise<string[][]>;
  const dkimResults = await verifyDkim(body, header, headerFrom, {
    resolveTxt,
    minRsaBits: opts.minBitLength,
    maxSignatures: opts.maxSignatures,
    keys: opts.keys,
  });

  let helo = opts.helo || opts.ip;
  if (helo && isIP(helo)) helo = `[${helo}]`;
  const spfResult = await checkSpf({
    ip: opts.ip,
    helo,
    sender: opts.sender,
    mta: opts.mta,
    resolver: opts.resolver,
  });

  const arcResult = await verifyArc(body, header, {
    resolveTxt,
    minRsaBits: opts.minBitLength,
    keys: opts.keys,
  });

  const rows = dkimResults.map((r) => foldLine(r.info, 160));
  const headers: string[] = [];
  if (spfResult) {
    rows.push(foldLine(spfResult.info, 160));
    headers.push(spfResult.header);
  }
  if (arcResult.info) rows.push(foldLine(arcResult.info, 160));
  const dmarcResult = await evaluateDmarc({
    headerFrom,
    spfDomains: spfResult && spfResult.status.result === "pass" && spfResult.domain ? [spfResult.domain] : [],
    dkimDomains: dkimResults
      .filter((r) => r.status.result === "pass")
      .map((r) => ({
        id: r.id ?? "",
        domain: r.signingDomain ?? "",
        aligned: r.status.aligned as unknown as boolean,
        underSized: r.status.underSized as unknown as boolean,
      })),
    arcResult,
    resolveTxt,
  });
  const dmarcInfo = dmarcResult === false ? "" : dmarcResult.info;
  if (dmarcInfo) rows.push(foldLine(dmarcInfo, 160));
  headers.push(`Authentication-Results: ${opts.mta};\r\n ${rows.join(";\r\n ")}`);
  return {
    dkim: { results: dkimResults, headerFrom },
    spf: spfResult,
    arc: arcResult,
    dmarc: dmarcResult,
    headers: `${headers.join("\r\n")}\r\n`,
  };
}
