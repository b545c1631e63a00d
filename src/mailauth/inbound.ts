// What the MX does with the checks' outcome (RFC 7489 §6.6.3, §6.7 local policy), under [mailauth]:
//  - fields claiming our authserv-id are removed first (RFC 8601 §5), verification or not;
//  - a header without exactly one From field, or whose From names no mailbox or more than
//    maxAuthorDomains domains → "malformed" (550 5.6.0): RFC 5322 §3.6 requires one From, and
//    without a single set of author domains DMARC cannot be applied (RFC 7489 §6.6.1, authors.ts);
//  - DMARC p=reject → "reject" (550 5.7.1) when enforceDmarcReject, else handled like quarantine;
//  - p=quarantine → "junk" (the recipients' Junk mailbox) when quarantineToJunk, else "deliver";
//  - a would-be reject with a temporary DNS failure behind it → "defer" (451: try again later).
import type { Config } from "../config/schema.js";
import type { DeliveryTarget, MailStore } from "../store/types.js";
import { stripOwnAuthResults } from "./auth-results.js";
import { authorFields } from "./authors.js";
import type { MailAuth } from "./services.js";
import type { InboundMessage, InboundVerdict } from "./verify.js";

export type InboundDecision = "deliver" | "junk" | "reject" | "defer" | "malformed";

export interface InboundOutcome {
  /** The message without forged Authentication-Results fields. */
  body: Buffer;
  /** Our Authentication-Results and Received-SPF fields, to put above the message ("" if off). */
  headers: Buffer;
  decision: InboundDecision;
  /** Why the message is "malformed", for the reply. */
  reason?: string;
  verdict: InboundVerdict | null;
}

export async function checkInbound(
  auth: Pick<MailAuth, "verifier" | "authservId">,
  config: Config["mailauth"],
  msg: InboundMessage,
): Promise<InboundOutcome> {
  const body = stripOwnAuthResults(msg.body, auth.authservId);
  if (!config.verifyInbound) return { body, headers: Buffer.alloc(0), decision: "deliver", verdict: null };
  const authors = authorFields(body);
  const malformed = (reason: string, verdict: InboundVerdict | null = null): InboundOutcome => ({
    body,
    headers: Buffer.alloc(0),
    decision: "malformed",
    reason,
    verdict,
  });
  if (authors.fields !== 1)
    return malformed(
      `${authors.fields === 0 ? "no" : authors.fields} From fields; exactly one is required (RFC 5322 3.6)`,
    );
  if (authors.addresses.length === 0) return malformed("the From field names no mailbox (RFC 5322 3.6.2)");
  const verdict = await auth.verifier.verify({ ...msg, body, authors: authors.addresses });
  if (verdict.authorDomains !== null && verdict.authorDomains > config.maxAuthorDomains)
    return malformed(`more than ${config.maxAuthorDomains} author domains in From (RFC 7489 6.6.1)`, verdict);
  const headers = Buffer.from(verdict.authResultsHeader + verdict.receivedSpfHeader, "utf8");
  let action = verdict.dmarcPolicyAction;
  if ((action === "reject" || action === "defer") && !config.enforceDmarcReject) action = "quarantine";
  const decision: InboundDecision =
    action === "reject" || action === "defer"
      ? action
      : action === "quarantine" && config.quarantineToJunk
        ? "junk"
        : "deliver";
  return { body, headers, decision, verdict };
}

/** One target per account: its \Junk mailbox (RFC 6154), or INBOX with the $Junk keyword when
 *  the account has none. */
export async function junkTargets(mail: MailStore, accountIds: number[]): Promise<DeliveryTarget[]> {
  const out: DeliveryTarget[] = [];
  for (const accountId of accountIds) {
    const junk = (await mail.listMailboxes(accountId)).find((m) => m.specialUse === "\\Junk");
    out.push(junk ? { accountId, mailboxId: junk.id } : { accountId, flags: ["$Junk"] });
  }
  return out;
}
