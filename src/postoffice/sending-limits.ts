// Stage "sending-limits": how much one account may send, counted over every door that sends for
// a user (SMTP submission and JMAP/webmail share one count, kept in the store so it survives a
// restart). Every envelope recipient counts, local ones too: a stolen account spamming our own
// users is abuse as well, and Postfix-style rate limits count all recipients.
//
// Over a limit the message is refused with a temporary error (SMTP 451 4.7.1 after DATA, JMAP
// SetError forbiddenToSend): RFC 5321 §4.2.5 — the client keeps the message and may try later,
// and nothing is lost. An account that keeps trying far past its hourly limit (limits.freezeFactor
// times it) looks like a spam cannon rather than a busy person: its sending is frozen (refused
// until an admin runs `yubin user unfreeze`), what it queued for other servers that hour is held
// in the queue (state "held", never claimed by the delivery engine, not lost), and the admins are
// told (a warning in the log, a notice to postmaster@ of the account's domain).
import type { AppContext } from "../server/context.js";
import type { SendDecision, SendingLimits, SendingPolicy } from "../store/types.js";
import { PostOfficeError } from "./errors.js";
import type { LimitsConfig } from "./limits-config.js";
import { tellPostmaster } from "./postmaster-notice.js";
import type { Stage } from "./types.js";

const HOUR = 3_600_000;

const WORDING: Record<keyof SendingLimits, string> = {
  messagesPerHour: "messages per hour",
  messagesPerDay: "messages per day",
  recipientsPerHour: "recipients per hour",
  recipientsPerDay: "recipients per day",
};

export const sendingLimitsStage: Stage = {
  name: "sending-limits",
  doors: new Set(["submission", "jmap"]),
  async run(work, { ctx }) {
    const accountId = work.letter.accountId;
    // POP-before-SMTP clients have no account to count against.
    if (accountId === null) return "next";
    const cfg = ctx.config.limits;
    const policy = await ctx.store.sending.getSendingPolicy(accountId);
    if (policy.frozenAt !== null)
      throw new PostOfficeError(
        "sending-limit",
        "sending suspended for this account (limit far exceeded); ask your administrator",
      );
    const limits = effectiveLimits(policy, cfg);
    // No limit at all: nothing to count, nothing to write (and no burst to measure against).
    if (Object.values(limits).every((v) => v === 0)) return "next";
    const now = new Date();
    const recipients = work.letter.recipients.length;
    const d = await ctx.store.sending.recordSend(accountId, { now, recipients, limits });
    if (d.allowed || d.over === null) return "next";
    work.log.info("sending limit reached", {
      id: work.id,
      accountId,
      limit: d.over.limit,
      value: d.over.value,
    });
    if (shouldFreeze(d, limits, cfg.freezeFactor)) await freeze(ctx, accountId, now, d, work.log);
    throw new PostOfficeError("sending-limit", `${d.over.value} ${WORDING[d.over.limit]}; try again later`);
  },
};

/** The account's own limits where set, else the config's. */
export function effectiveLimits(policy: SendingPolicy, cfg: LimitsConfig): SendingLimits {
  return {
    messagesPerHour: policy.limits.messagesPerHour ?? cfg.messagesPerHour,
    messagesPerDay: policy.limits.messagesPerDay ?? cfg.messagesPerDay,
    recipientsPerHour: policy.limits.recipientsPerHour ?? cfg.recipientsPerHour,
    recipientsPerDay: policy.limits.recipientsPerDay ?? cfg.recipientsPerDay,
  };
}

/** A burst: the last hour's attempts (sent and refused) reach freezeFactor × an hourly limit. */
export function shouldFreeze(d: SendDecision, limits: SendingLimits, factor: number): boolean {
  if (factor <= 0) return false;
  const far = (attempted: number, limit: number) => limit > 0 && attempted >= factor * limit;
  return (
    far(d.attemptedMessagesHour, limits.messagesPerHour) ||
    far(d.attemptedRecipientsHour, limits.recipientsPerHour)
  );
}

async function freeze(
  ctx: AppContext,
  accountId: number,
  now: Date,
  d: SendDecision,
  log: AppContext["log"],
): Promise<void> {
  const reason = `${d.attemptedMessagesHour} messages to ${d.attemptedRecipientsHour} recipients tried within an hour`;
  const newly = await ctx.store.sending.freezeSending(accountId, {
    now,
    reason,
    holdSince: new Date(now.getTime() - HOUR),
  });
  if (!newly) return;
  const account = await ctx.store.directory.getAccount(accountId);
  const address = account?.address ?? `account ${accountId}`;
  log.warn("account sending frozen", { accountId, address, reason });
  // The notice must not turn the refusal into a server error: the freeze is already durable.
  await tellPostmaster(
    ctx,
    {
      about: address,
      subject: `Outgoing mail frozen for ${address}`,
      kind: "freeze",
      now,
      lines: [
        `Outgoing mail from ${address} has been frozen: ${reason},`,
        "far above its sending limit. A stolen password is the usual cause.",
        "",
        "Its mail queued in the last hour is held, not sent and not deleted. Further sending is",
        "refused with a temporary error until an administrator runs:",
        "",
        `  yubin user unfreeze ${address}     (releases the held mail)`,
        "  yubin queue list / yubin queue delete ID     (to look at or drop held messages)",
        "",
        "Change the account's password first if it was not its owner sending.",
      ],
    },
    { accountId },
  );
}
