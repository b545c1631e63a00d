// The vacation auto-reply (RFC 8621 8 VacationResponse, with the rules of RFC 3834 and
// RFC 5230 4.5-4.6): after a message is delivered to local accounts, each account whose
// response is enabled and within its dates answers the envelope sender, at most once per sender
// per [vacation] replyIntervalDays (remembered in the store), unless vacation-rules.ts says not
// to. The reply has the null sender (MAIL FROM:<>), so it can never be answered in turn; local
// senders get it through store.mail.deliver, remote ones through the outbound queue.
//
// Called after the original is stored (src/smtp/message/accept.ts, src/jmap/submission/
// submit.ts). It never throws: a failure is logged and the original delivery stands.
import { mailauthFor } from "../mailauth/services.js";
import type { AppContext } from "../server/context.js";
import { returnPathHeader } from "../smtp/message/trace.js";
import type { VacationResponse } from "../store/types.js";
import { resolveRecipient } from "./resolve.js";
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

  const dest = await resolveRecipient(store.directory, mail.mailFrom);
  if (dest.kind === "unknown") return false;
  if (dest.kind === "local" && dest.accountIds.length > 0) {
    const local = Buffer.concat([Buffer.from(returnPathHeader(""), "utf8"), reply]);
    await store.mail.deliver(
      local,
      dest.accountIds.map((accountId) => ({ accountId })),
    );
  }
  const remote = dest.kind === "remote" ? [dest.address] : dest.remote;
  if (remote.length > 0) {
    // Our user's mail to another domain: DKIM-signed like any other (RFC 6376).
    const signed = ctx.config.mailauth.signOutbound ? await mailauthFor(ctx).signer.sign(reply) : reply;
    await store.queue.enqueue({
      body: signed,
      mailFrom: "",
      recipients: remote.map((address) => ({ address })),
      accountId: account.id,
    });
    ctx.kickQueue?.();
  }
  ctx.log.info("vacation auto-reply sent", { accountId: account.id, to: mail.mailFrom });
  return true;
}
