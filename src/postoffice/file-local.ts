// Stage "file": the local copies, durable when its promise resolves, which is what the door waits
// for before it acknowledges. The copy is Return-Path (final delivery, RFC 5321 §4.4) + our
// Received + our Authentication-Results + filter fields + the content, built in one concat.
//
// Each account gets what its plan says (Work.plans, from the sieve stage): the keep (INBOX, or
// the spam stage's Junk choice), fileinto's mailboxes (RFC 5228 4.1; a missing one is created
// with :create, RFC 5490 3.2, else the copy goes to INBOX), IMAP flags (RFC 5232), or nothing
// (discard, reject). Without a plan: one copy into INBOX or Junk. One store.mail.deliver per
// distinct body (all-or-nothing: a full mailbox means QuotaError and nothing of it stored); only
// an editheader copy (RFC 5293) is a second body, filed in a second call, so a failure between
// the two means a duplicate when the sender retries, never a loss.
import { junkTargets } from "../mailauth/inbound.js";
import { StoreError } from "../store/errors.js";
import type { DeliveryTarget, MailStore } from "../store/types.js";
import { returnPathHeader } from "./trace-fields.js";
import type { AccountPlan, Stage, Work } from "./types.js";

export const fileLocalStage: Stage = {
  name: "file",
  doors: new Set(["inbound", "submission", "jmap", "system", "redirect"]),
  async run(work, { ctx }) {
    if (work.accountIds.length === 0) return "next";
    const local = Buffer.concat([
      Buffer.from(returnPathHeader(work.letter.mailFrom), "utf8"),
      work.received,
      work.authFields,
      work.filterFields,
      work.body,
    ]);
    const byBody = new Map<Buffer, DeliveryTarget[]>([[local, []]]);
    const mail = ctx.store.mail;
    for (const accountId of work.accountIds) {
      const plan = work.plans.get(accountId);
      const junk = work.folders.get(accountId) === "junk";
      const targets = plan
        ? await planTargets(work, mail, accountId, plan, junk)
        : await keepTarget(mail, accountId, junk, []);
      const body = plan?.body ?? local;
      const list = byBody.get(body);
      if (list) list.push(...targets);
      else byBody.set(body, targets);
    }
    for (const [body, targets] of byBody) if (targets.length > 0) await mail.deliver(body, targets);
    // One local delivery per account filed (a quota refusal threw above: nothing was filed).
    for (const _ of work.accountIds) ctx.metrics.delivery("delivered", "local");
    return "next";
  },
};

/** The keep: INBOX, or the account's Junk mailbox (INBOX with $Junk when it has none). */
async function keepTarget(
  mail: MailStore,
  accountId: number,
  junk: boolean,
  flags: string[],
): Promise<DeliveryTarget[]> {
  if (!junk) return [flags.length > 0 ? { accountId, flags } : { accountId }];
  const [t] = await junkTargets(mail, [accountId]);
  if (!t) return [{ accountId, flags }];
  const all = [...(t.flags ?? []), ...flags];
  return [all.length > 0 ? { ...t, flags: all } : t];
}

async function planTargets(
  work: Work,
  mail: MailStore,
  accountId: number,
  plan: AccountPlan,
  junk: boolean,
): Promise<DeliveryTarget[]> {
  const out = new Map<string, DeliveryTarget>();
  const add = (t: DeliveryTarget) => {
    const key = String(t.mailboxId ?? "inbox");
    const old = out.get(key);
    if (!old) out.set(key, t);
    else if (t.flags) old.flags = [...new Set([...(old.flags ?? []), ...t.flags])];
  };
  for (const copy of plan.copies) {
    const flags = copy.flags.filter(validFlag);
    if (copy.mailbox === null) {
      for (const t of await keepTarget(mail, accountId, junk, flags)) add(t);
      continue;
    }
    const mailboxId = copy.mailbox === "INBOX" ? undefined : await mailboxFor(work, mail, accountId, copy);
    add(flags.length > 0 ? { accountId, mailboxId, flags } : { accountId, mailboxId });
  }
  return [...out.values()];
}

/** fileinto's mailbox; undefined (INBOX) when it is missing and may not or cannot be created. */
async function mailboxFor(
  work: Work,
  mail: MailStore,
  accountId: number,
  copy: AccountPlan["copies"][number],
): Promise<number | undefined> {
  const name = copy.mailbox ?? "INBOX";
  const found = await mail.getMailbox(accountId, name);
  if (found) return found.id;
  if (!copy.create) {
    // RFC 5228 4.1 lets the implementation file it into the default mailbox instead.
    work.log.info("sieve fileinto: no such mailbox, filed into INBOX", { accountId, mailbox: name });
    return undefined;
  }
  try {
    return (await mail.createMailbox(accountId, name)).id;
  } catch (error) {
    // Made by a concurrent delivery in between, or a name the store refuses.
    const again = await mail.getMailbox(accountId, name);
    if (again) return again.id;
    if (!(error instanceof StoreError)) throw error;
    work.log.warn("sieve fileinto :create failed, filed into INBOX", {
      accountId,
      mailbox: name,
      error: error.message,
    });
    return undefined;
  }
}

const systemFlags = new Set(["\\seen", "\\answered", "\\flagged", "\\deleted", "\\draft"]);

/** A flag the store accepts (RFC 3501 flag: a known system flag or an atom keyword); a script's
 *  others are dropped rather than failing the delivery (RFC 5232 3: invalid flags are ignored). */
function validFlag(f: string): boolean {
  if (f.startsWith("\\")) return systemFlags.has(f.toLowerCase());
  return f !== "" && f.length <= 100 && !/[\x00-\x20\x7f(){%*"\\\]]/.test(f);
}
