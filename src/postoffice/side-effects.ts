// Stage "side effects": what filing a message sets off, after it is durable: vacation auto-replies
// (src/delivery/vacation.ts, RFC 3834; a Sieve vacation action or the account's built-in
// VacationResponse) and Sieve rejection messages (RFC 5429 2.1), which come back in through the
// "system" door. Never for system mail (a DSN or a vacation reply is not answered: RFC 3834 §2),
// never for copies filed as junk (a reply would be backscatter). Neither ever throws: a failure
// is logged and the original delivery stands.
import { buildRejectionMessage } from "../delivery/rejection-message.js";
import { type SieveVacation, sendVacationReplies } from "../delivery/vacation.js";
import type { AppContext } from "../server/context.js";
import type { VacationResponse } from "../store/types.js";
import type { SieveReply, Stage, Work } from "./types.js";

export const sideEffectsStage: Stage = {
  name: "side effects",
  doors: new Set(["inbound", "submission", "jmap", "redirect"]),
  async run(work, { ctx }) {
    const sieve = new Map<number, SieveVacation>();
    const rejected = new Set<number>();
    for (const r of work.sieveReplies) {
      if (r.action.type === "vacation") sieve.set(r.accountId, r.action);
      else {
        rejected.add(r.accountId);
        await sendRejection(ctx, work, r);
      }
    }
    const recipients = work.letter.recipients.flatMap((r) =>
      r.accountIds
        .filter((accountId) => work.folders.get(accountId) !== "junk" && !rejected.has(accountId))
        // A message the account's rules discarded gets no built-in auto-reply (only one the
        // script itself asked for).
        .filter((accountId) => (work.plans.get(accountId)?.copies.length ?? 1) > 0 || sieve.has(accountId))
        .map((accountId) => ({ accountId, addresses: [r.address] })),
    );
    if (recipients.length === 0) return "next";
    // The responses the door read with the accounts (RCPT), so none is read again here.
    const responses = new Map<number, VacationResponse>();
    for (const r of work.letter.recipients)
      for (const [accountId, facts] of r.facts ?? []) responses.set(accountId, facts.vacation);
    await sendVacationReplies(ctx, {
      body: work.body,
      mailFrom: work.letter.mailFrom,
      recipients,
      sieve,
      responses,
    });
    return "next";
  },
};

/** Why a rejection message would be backscatter (RFC 5429 2.1: "implementations SHOULD NOT send
 *  one to a forged sender"), or null when it may go. */
export function backscatterReason(work: Work, accountId: number): string | null {
  if (work.letter.mailFrom === "") return "null sender";
  if (work.folders.get(accountId) === "junk") return "filed as junk";
  const spam = work.spamByAccount.get(accountId) ?? work.spam;
  if (spam && spam.score >= spam.threshold) return "classified as spam";
  if (work.auth?.spf === "fail") return "SPF failed";
  if (work.auth?.dmarc?.result === "fail") return "DMARC failed";
  return null;
}

async function sendRejection(ctx: AppContext, work: Work, r: SieveReply): Promise<void> {
  if (r.action.type !== "reject") return;
  const why = backscatterReason(work, r.accountId);
  if (why !== null) {
    work.log.info("sieve rejected the message; no rejection message", { accountId: r.accountId, why });
    return;
  }
  try {
    const body = buildRejectionMessage({
      original: work.body,
      reason: r.action.reason,
      recipient: r.recipient,
      to: work.letter.mailFrom,
      hostname: ctx.config.server.hostname,
      now: new Date(),
    });
    await ctx.postOffice.postSystem({ body, to: work.letter.mailFrom, accountId: r.accountId });
    work.log.info("sieve rejection message sent", { accountId: r.accountId, to: work.letter.mailFrom });
  } catch (error) {
    work.log.warn("sieve rejection message failed", { accountId: r.accountId, error });
  }
}
