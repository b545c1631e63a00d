// The authors of an inbound message and DMARC for each of their domains (RFC 7489 §6.6.1).
//
// DMARC is keyed on the RFC5322.From domain, and mailauth evaluates it only when the header has
// exactly one From address; with two (two From fields, or one field listing two mailboxes) it
// returns no result at all, so "From: x@elsewhere" beside "From: alice@ourdomain" got past a
// p=reject policy. §6.6.1 leaves two choices; we take both:
//   - zero or several From *fields*: RFC 5322 §3.6 allows exactly one, the message is malformed
//     and refused (inbound.ts);
//   - one field with several mailboxes (legal, §3.6.2): DMARC is evaluated for every author
//     domain and the strictest outcome is applied; each result is in Authentication-Results.
// The domains are those of both parsers, mailauth's and ours (src/mime/address.ts, which IMAP
// ENVELOPE and JMAP show), so an address only one of them sees cannot slip past the check.
import type { ARCResult, DMARCResult } from "mailauth";
import { normalizeDomain } from "../delivery/address.js";
import { MISSING_DOMAIN, MISSING_MAILBOX, parseAddressList } from "../mime/address.js";
import { fieldValue, scanHeader } from "../mime/headers.js";
import { evaluateDmarc } from "./dmarc.js";
import type { ResolveTxt } from "./dmarc-record.js";

export interface AuthorFields {
  /** Number of From fields in the header (RFC 5322 §3.6: exactly one). */
  fields: number;
  /** Mailboxes of the From fields, "local@domain", as src/mime/address.ts reads them. */
  addresses: string[];
}

export function authorFields(message: Buffer): AuthorFields {
  const { fields } = scanHeader(message, 0, message.length);
  let count = 0;
  const addresses: string[] = [];
  for (const f of fields) {
    if (f.lname !== "from") continue;
    count++;
    for (const a of parseAddressList(fieldValue(message, f))) {
      if (a.mailbox === null || a.host === null) continue; // group markers
      if (a.mailbox === MISSING_MAILBOX || a.host === MISSING_DOMAIN) continue;
      addresses.push(`${a.mailbox}@${a.host}`);
    }
  }
  return { fields: count, addresses };
}

/** Distinct domains of `addresses` (lower case, A-labels, no trailing dot), in order. */
export function authorDomains(addresses: readonly string[]): string[] {
  const out = new Set<string>();
  for (const a of addresses) {
    const at = a.lastIndexOf("@");
    if (at <= 0 || at === a.length - 1) continue;
    const d = normalizeDomain(
      a
        .slice(at + 1)
        .trim()
        .replace(/\.$/, ""),
    );
    if (d !== "") out.add(d);
  }
  return [...out];
}

export interface AuthorDmarcInput {
  domains: string[];
  /** DMARC already evaluated in authenticate.ts (exactly one From address), and that address's domain. */
  known: { domain: string; result: DMARCResult } | null;
  spfDomains: string[];
  dkimDomains: { id?: string; domain: string; aligned?: boolean; underSized?: boolean }[];
  arcResult: ARCResult | undefined;
  resolveTxt: ResolveTxt;
}

/** One DMARC result per author domain, in the order of `domains`. */
export async function dmarcPerAuthor(input: AuthorDmarcInput): Promise<DMARCResult[]> {
  return Promise.all(
    input.domains.map(async (domain) => {
      if (input.known?.domain === domain) return input.known.result;
      const r = await evaluateDmarc({
        headerFrom: domain,
        spfDomains: input.spfDomains,
        dkimDomains: input.dkimDomains,
        arcResult: input.arcResult,
        resolveTxt: input.resolveTxt,
      });
      // evaluateDmarc returns false only for a headerFrom array of other than one address.
      if (!r) throw new Error(`no DMARC result for ${domain}`);
      return r;
    }),
  );
}
