// What the MX does with the checks' outcome (RFC 7489 §6.6.3, §6.7 local policy), under [mailauth]:
//  - fields claiming our authserv-id are removed first (RFC 8601 §5), verification or not;
//  - DMARC p=reject → "reject" (550 5.7.1) when enforceDmarcReject, else handled like quarantine;
//  - p=quarantine → "junk" (the recipients' Junk mailbox) when quarantineToJunk, else "deliver";
//  - a would-be reject with a temporary DNS failure behind it → "defer" (451: try again later).
import type { Config } from "../config/schema.js";
import type { DeliveryTarget, MailStore } from "../store/types.js";
import { stripOwnAuthResults } from "./auth-results.js";
import type { MailAuth } from "./services.js";
import type { InboundMessage, InboundVerdict } from "./verify.js";

export type InboundDecision = "deliver" | "junk" | "reject" | "defer";

export interface InboundOutcome {
  /** The message without forged Authentication-Results fields. */
  body: Buffer;
  /** Our Authentication-Results and Received-SPF fields, to put above the message ("" if off). */
  headers: Buffer;
  decision: InboundDecision;
  verdict: InboundVerdict | null;
}

export async function checkInbound(
  auth: Pick<MailAuth, "verifier" | "authservId">,
  config: Config["mailauth"],
  msg: InboundMessage,
): Promise<InboundOutcome> {
  const body = stripOwnAuthResults(msg.body, auth.authservId);
  if (!config.verifyInbound) return { body, headers: Buffer.alloc(0), decision: "deliver", verdict: null };
  const verdict = await auth.verifier.verify({ ...msg, body });
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
