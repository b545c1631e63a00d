// The vacation auto-reply (RFC 8621 8 VacationResponse, with the rules of RFC 3834 and
// RFC 5230 4.5-4.6): after a message is delivered to local accounts, each account whose
// response is enabled and within its dates answers the envelope sender, at most once per sender
// per [vacation] replyIntervalDays (remembered in the store), unless vacation-rules.ts says not
// to. The reply has the null sender (MAIL FROM:<>), so it can never be answered in turn; it goes
// out through the post office's "system" door (src/postoffice).
//
// Called by the post office's side-effects stage after the original is stored, for every door
// but "system". It never throws: a failure is logged and the original delivery stands.
import type { AppContext } from "../server/context.js";
import type { VacationResponse } from "../store/types.js";
import { buildVacationReply } from "./vacation-message.js";
import { vacationVerdict } from "./vacation-rules.js";

export interface DeliveredMail {
  /** The message as delivered (only its header is read). */
  body: Buffer;
  /** Envelope sender; "" for the null sender. */
  mailFrom: string;
  /** Each local account that got the message, with the envelope recipients that led to it. */
  recipients: { accountId: number; addresses: string[] }[];
  /** Filed as junk: never answered (a reply would be backscatter). */
  junk?: boolean;
}

const DAY_MS = 86_400_000;

/** RFC 8621 8: on or after fromDate, and before toDate (either may be absent). */
export function isActive(v: VacationResponse, now: Date): boolean {
  if (!v.isEnabled) return false;
  if (v.fromDate !== null && now.getTime() < v.fromDate.getTime()) return false;
  if (v.toDate !== null && now.getTime() >= v.toDate.getTime()) return false;
  return true;
}

/** Sends the auto-replies due for one delivered message; returns how many were sent. */
export async function sendVacationReplies(
  ctx: AppContext,
  mail: DeliveredMail,
  opts: { now?: Date } = {},
): Promise<number> {
  if (mail.junk || mail.mailFrom === "") return 0;
  const now = opts.now ?? new Date();
  let sent = 0;
  for (const r of mergeRecipients(mail.recipients)) {
    try {
      if (await replyFor(ctx, mail, r, now)) sent++;
    } catch (error) {
      ctx.log.warn("vacation auto-reply failed", { accountId: r.accountId, error });
    }
  }
  return sent;
}

function mergeRecipients(list: DeliveredMail["recipients"]): DeliveredMail["recipients"] {
  const by = new Map<number, string[]>();
  for (const r of list) by.set(r.accountId, [...(by.get(r.accountId) ?? []), ...r.addresses]);
  return [...by].map(([accountId, addresses]) => ({ accountId, addresses }));
}

async function replyFor(
  ctx: AppContext,
  mail: DeliveredMail,
  r: { accountId: number; addresses: string[] },
  now: Date,
): Promise<boolean> {
  const { store } = ctx;
  const response = await store.settings.getVacation(r.accountId);
  if (!isActive(response, now)) return false;
  const account = await store.directory.getAccount(r.accountId);
  if (!account || account.disabled) return false;
  const identities = await store.settings.listIdentities(account.id);
  const own = [account.address, ...identities.map((i) => i.email), ...r.addresses];
  const verdict = vacationVerdict({ header: mail.body, mailFrom: mail.mailFrom, own });
  if (!verdict.reply) {
    ctx.log.debug("no vacation auto-reply", { accountId: account.id, reason: verdict.reason });
    return false;
  }
  const cfg = ctx.config.vacation;
  if (
    !(await store.settings.claimVacationReply(account.id, mail.mailFrom, now, cfg.replyIntervalDays * DAY_MS))
  ) {
    return false;
  }
  // The identity the message was addressed to, else the primary one (listed first).
  const lower = new Set(r.addresses.map((a) => a.toLowerCase()));
  const from = identities.find((i) => lower.has(i.email.toLowerCase())) ?? identities[0];
  const reply = buildVacationReply({
    original: mail.body,
    response,
    from: { name: from?.name ?? "", email: from?.email ?? account.address },
    to: mail.mailFrom,
    hostname: ctx.config.server.hostname,
    now,
    maxOriginalSubjectBytes: cfg.maxOriginalSubjectBytes,
  });

  // In through the post office's "system" door: filed for a local sender, DKIM-signed and queued
  // for a remote one (RFC 6376), with our Received field either way.
  if (!(await ctx.postOffice.postSystem({ body: reply, to: mail.mailFrom, accountId: account.id })))
    return false;
  ctx.log.info("vacation auto-reply sent", { accountId: account.id, to: mail.mailFrom });
  return true;
}
