// The vacation auto-reply (RFC 8621 8 VacationResponse and RFC 5230/6131 Sieve vacation, with the
// rules of RFC 3834 and RFC 5230 4.5-4.6). One vacation: the account's VacationResponse (JMAP,
// the webmail's settings) is its built-in vacation, and a Sieve script's vacation action is
// another; both go through the same checks (vacation-rules.ts), the same message builder
// (vacation-message.ts) and the same once-per-sender memory, the store's duplicate memory
// (SieveStore.duplicate, RFC 7352, one record per account, handle and sender, each with its own
// expiry, so a 1-day rule never shortens a 7-day one). The built-in vacation's handle is a hash
// of the response, so a changed response answers everyone again (RFC 5230 4.2). A message gets at
// most one auto-reply per account: the script's when the script asked for one, else the built-in.
// The reply has the null sender (MAIL FROM:<>), so it can never be answered in turn; it goes out
// through the post office's "system" door (src/postoffice).
//
// Called by the post office's side-effects stage after the original is stored, for every door
// but "system". It never throws: a failure is logged and the original delivery stands.
import { createHash } from "node:crypto";
import { parseAddressList } from "../mime/address.js";
import { decodeHeaderValue } from "../mime/encoded-word.js";
import type { AppContext } from "../server/context.js";
import type { SieveAction } from "../sieve/types.js";
import type { VacationResponse } from "../store/types.js";
import { buildVacationReply } from "./vacation-message.js";
import { vacationVerdict } from "./vacation-rules.js";

export type SieveVacation = Extract<SieveAction, { type: "vacation" }>;

export interface DeliveredMail {
  /** The message as delivered (only its header is read). */
  body: Buffer;
  /** Envelope sender; "" for the null sender. */
  mailFrom: string;
  /** Each local account that got the message, with the envelope recipients that led to it. */
  recipients: { accountId: number; addresses: string[] }[];
  /** Filed as junk: never answered (a reply would be backscatter). */
  junk?: boolean;
  /** The Sieve vacation actions, per account: these accounts answer with their script's reply
   *  instead of the built-in VacationResponse. */
  sieve?: ReadonlyMap<number, SieveVacation>;
  /** The accounts' VacationResponse as the door read it with the account (src/delivery/resolve.ts);
   *  an account not here is read from the store. */
  responses?: ReadonlyMap<number, VacationResponse>;
}

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
      const script = mail.sieve?.get(r.accountId);
      if (await (script ? sieveReply(ctx, mail, r, script, now) : builtinReply(ctx, mail, r, now))) sent++;
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

type Recipient = { accountId: number; addresses: string[] };

/** The account's VacationResponse (RFC 8621 8), when it is on. */
async function builtinReply(ctx: AppContext, mail: DeliveredMail, r: Recipient, now: Date): Promise<boolean> {
  const response = mail.responses?.get(r.accountId) ?? (await ctx.store.settings.getVacation(r.accountId));
  if (!isActive(response, now)) return false;
  const handle = `builtin:${JSON.stringify([
    response.subject,
    response.textBody,
    response.htmlBody,
    response.fromDate?.getTime() ?? null,
    response.toDate?.getTime() ?? null,
  ])}`;
  return reply(ctx, mail, r, now, {
    handle,
    seconds: ctx.config.vacation.replyIntervalDays * 86_400,
    extraAddresses: [],
    from: null,
    content: { response },
  });
}

/** A Sieve vacation action (RFC 5230 4, RFC 6131): the interval bounded by [sieve]
 *  vacationMinSeconds / vacationMaxSeconds. */
async function sieveReply(
  ctx: AppContext,
  mail: DeliveredMail,
  r: Recipient,
  v: SieveVacation,
  now: Date,
): Promise<boolean> {
  const cfg = ctx.config.sieve;
  const seconds = Math.min(Math.max(v.seconds, cfg.vacationMinSeconds, 1), cfg.vacationMaxSeconds);
  const response: VacationResponse = {
    isEnabled: true,
    fromDate: null,
    toDate: null,
    subject: v.subject,
    textBody: v.mime ? null : v.reason,
    htmlBody: null,
  };
  return reply(ctx, mail, r, now, {
    handle: `sieve:${v.handle}`,
    seconds,
    extraAddresses: v.addresses,
    from: v.from,
    content: v.mime ? { response, mimeEntity: v.reason } : { response },
  });
}

interface ReplyPlan {
  handle: string;
  seconds: number;
  /** RFC 5230 4.5 :addresses: more of the user's addresses. */
  extraAddresses: string[];
  /** RFC 5230 4.4 :from, used only when it is one of the account's own addresses. */
  from: string | null;
  content: { response: VacationResponse; mimeEntity?: string };
}

async function reply(
  ctx: AppContext,
  mail: DeliveredMail,
  r: Recipient,
  now: Date,
  p: ReplyPlan,
): Promise<boolean> {
  const { store } = ctx;
  const account = await store.directory.getAccount(r.accountId);
  if (!account || account.disabled) return false;
  const identities = await store.settings.listIdentities(account.id);
  const own = [account.address, ...identities.map((i) => i.email), ...r.addresses, ...p.extraAddresses];
  const verdict = vacationVerdict({ header: mail.body, mailFrom: mail.mailFrom, own });
  if (!verdict.reply) {
    ctx.log.debug("no vacation auto-reply", { accountId: account.id, reason: verdict.reason });
    return false;
  }
  if (await alreadyAnswered(ctx, account.id, mail.mailFrom, p, now)) return false;
  // The :from address when it is the user's, else the identity the message was addressed to, else
  // the primary one (listed first).
  const lower = new Set(r.addresses.map((a) => a.toLowerCase()));
  const mine = new Set([account.address, ...identities.map((i) => i.email)].map((a) => a.toLowerCase()));
  const asked = p.from === null ? null : parseAddressList(p.from)[0];
  const askedEmail = asked?.mailbox && asked.host ? `${asked.mailbox}@${asked.host}` : null;
  const identity = identities.find((i) => lower.has(i.email.toLowerCase())) ?? identities[0];
  const from =
    askedEmail !== null && mine.has(askedEmail.toLowerCase())
      ? { name: decodeHeaderValue(asked?.name ?? ""), email: askedEmail }
      : { name: identity?.name ?? "", email: identity?.email ?? account.address };
  const message = buildVacationReply({
    original: mail.body,
    response: p.content.response,
    mimeEntity: p.content.mimeEntity,
    from,
    to: mail.mailFrom,
    hostname: ctx.config.server.hostname,
    now,
    maxOriginalSubjectBytes: ctx.config.vacation.maxOriginalSubjectBytes,
  });

  // In through the post office's "system" door: filed for a local sender, DKIM-signed and queued
  // for a remote one (RFC 6376), with our Received field either way.
  if (!(await ctx.postOffice.postSystem({ body: message, to: mail.mailFrom, accountId: account.id })))
    return false;
  ctx.log.info("vacation auto-reply sent", {
    accountId: account.id,
    to: mail.mailFrom,
    handle: p.handle.slice(0, 80),
  });
  return true;
}

/** RFC 5230 4.6 / RFC 6131: true when this sender was answered for this handle within the
 *  interval; otherwise remembers it now (one atomic step in the store). */
async function alreadyAnswered(
  ctx: AppContext,
  accountId: number,
  sender: string,
  p: ReplyPlan,
  now: Date,
): Promise<boolean> {
  const key = `vacation:${createHash("sha256").update(p.handle).update("\0").update(sender.toLowerCase()).digest("hex")}`;
  return ctx.store.sieve.duplicate(accountId, key, now, p.seconds, false);
}
