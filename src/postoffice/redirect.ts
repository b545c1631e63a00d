// Stages "redirect check" (before "file") and "redirect" (after it): the Sieve redirect actions
// (RFC 5228 §4.2) the sieve stage collected in work.redirects.
//
// Check, before anything is filed, per redirect:
//  - loop protection: a message that already carries our X-Sieve-Redirected-From naming this
//    account passed through this account's redirect before (A → B → A); it is not sent again
//    (Pigeonhole writes and checks the same field). A copy that would reach
//    smtp.maxReceivedHeaders Received fields is not sent either (RFC 5321 §6.3);
//  - limits: [sieve] maxRedirects per account and message (the interpreter caps per run too) and
//    maxRedirectsPerDay per account (ctx.counters, a day's window);
//  - the target resolves (an address of ours that names nobody is not sent to);
//  - the message is not spam: what the spam filter put in Junk (or DMARC quarantined) stays here
//    unless [sieve] redirectSpam, so forwarding does not spread spam under our name;
//  - the same message (Message-ID, Resent-*, List-Id) was not redirected to the same target by
//    the account within [sieve] redirectDuplicateSeconds (Pigeonhole's duplicate check: an SMTP
//    retry, or a loop through a system that strips our trace field); then the target has it and
//    the account keeps no copy either. Only asked here: the redirect is remembered once it is
//    sent, so a filing that fails (a full mailbox) and is retried still redirects (RFC 7352 3's
//    rule for the duplicate test, for the same reason).
// A redirect not sent is logged, and when it was the account's only disposition (the redirect
// cancelled the implicit keep) the account keeps the message in INBOX: mail is never lost.
//
// Send, after the local copies are filed (so a refused filing, e.g. a full mailbox, queues
// nothing: the sender's retry makes no duplicate redirect), before "queue"/"wake", so the copies
// are durable before the door acknowledges:
//  - to another domain: queued from the null sender when the original had it, else from an SRS
//    address for mail from other domains (forward.ts), ARC-sealed (RFC 8617) with the redirecting
//    account's domain key when it came in on port 25, DKIM-signed like our own mail when one of
//    our users sent it; DSN NOTIFY and ORCPT as the original recipient asked (RFC 3461 §4.2);
//  - to one of our addresses: posted again through the post office's "redirect" door, so the
//    target's own rules run (a "system" posting would skip them, and a queued copy would loop
//    out and back in through port 25 and its checks). The copy keeps our Authentication-Results
//    from the first pass; the door runs no checks or filters again.
import { createHash } from "node:crypto";
import { resolveRecipient } from "../delivery/resolve.js";
import { mailauthFor } from "../mailauth/services.js";
import { scanHeader } from "../mime/headers.js";
import { srsResolveOption } from "../outbound/srs-service.js";
import type { AppContext } from "../server/context.js";
import { receivedCount } from "./accept.js";
import { forwardSender, sealForwarded } from "./forward.js";
import type { Door, Stage, Work } from "./types.js";

/** The trace field on every redirected copy (Pigeonhole's name): the redirecting account. */
export const REDIRECTED_FROM = "X-Sieve-Redirected-From";
const DAY_MS = 86_400_000;

/** Every door: a redirect comes from a script, whichever way the message came in. */
const ALL_DOORS: ReadonlySet<Door> = new Set(["inbound", "submission", "jmap", "system", "redirect"]);

type Redirect = Work["redirects"][number];

export const redirectCheckStage: Stage = {
  name: "redirect check",
  doors: ALL_DOORS,
  async run(work, { ctx }) {
    if (work.redirects.length === 0) return "next";
    const kept: Redirect[] = [];
    const perAccount = new Map<number, number>();
    for (const r of work.redirects) {
      const n = (perAccount.get(r.accountId) ?? 0) + 1;
      perAccount.set(r.accountId, n);
      const why = await refusal(ctx, { r, nth: n, work });
      if (why === null) {
        kept.push(r);
        continue;
      }
      work.log.warn("sieve redirect not sent", {
        id: work.id,
        accountId: r.accountId,
        to: r.address,
        reason: why.reason,
      });
      if (why.keep) keepLocally(work, r.accountId);
    }
    work.redirects = kept;
    return "next";
  },
};

export const redirectStage: Stage = {
  name: "redirect",
  doors: ALL_DOORS,
  async run(work, { ctx }) {
    for (const r of work.redirects) {
      try {
        await send(ctx, work, r);
        await remember(ctx, work, r);
      } catch (e) {
        // The local copies are filed; a redirect that cannot be written is logged, not a reason
        // to have the sender try again (every other recipient would get a duplicate).
        work.log.error("sieve redirect failed", {
          id: work.id,
          accountId: r.accountId,
          to: r.address,
          err: e as Error,
        });
      }
    }
    return "next";
  },
};

/** Why a redirect is not sent, and whether the account keeps the message instead (not when it
 *  was redirected there already: the target has it). Null: send it. */
async function refusal(
  ctx: AppContext,
  { r, nth, work }: { r: Redirect; nth: number; work: Work },
): Promise<{ reason: string; keep: boolean } | null> {
  const cfg = ctx.config.sieve;
  const no = (reason: string, keep = true) => ({ reason, keep });
  const account = await ctx.store.directory.getAccount(r.accountId);
  if (!account) return no("the account is gone");
  if (redirectedBy(r.body).has(account.address.toLowerCase()))
    return no(`loop: ${REDIRECTED_FROM} shows this account redirected the message before`);
  if (receivedCount(r.body) + 1 >= ctx.config.smtp.maxReceivedHeaders)
    return no("loop: too many Received fields for another hop");
  if (r.address.toLowerCase() === account.address.toLowerCase())
    return no("loop: a redirect to the account itself");
  if (nth > cfg.maxRedirects) return no(`more than ${cfg.maxRedirects} redirects for one message`);
  const spam = work.spamByAccount.get(r.accountId) ?? work.spam;
  if (
    !cfg.redirectSpam &&
    (work.folders.get(r.accountId) === "junk" || (spam && spam.score >= spam.threshold))
  )
    return no("classified as spam (or DMARC quarantine): kept in Junk, not forwarded");
  const dest = await resolveRecipient(ctx.store.directory, r.address, {
    disabledAccounts: ctx.config.delivery.disabledAccounts,
  });
  if (dest.kind === "unknown" || dest.kind === "disabled") return no(`no such recipient here (${dest.kind})`);
  const today = await ctx.counters.incr(`sieve-redirect:${r.accountId}`, DAY_MS);
  if (today > cfg.maxRedirectsPerDay)
    return no(`over the daily limit of ${cfg.maxRedirectsPerDay} redirects`);
  const key = redirectKey(r);
  if (key !== null && cfg.redirectDuplicateSeconds > 0) {
    const seen = await ctx.store.sieve.seenDuplicate(
      r.accountId,
      key,
      new Date(),
      cfg.redirectDuplicateSeconds,
    );
    if (seen) return no("already redirected there (same Message-ID)", false);
  }
  return null;
}

/** A redirect sent is remembered, so a retry or a loop does not send it there again. */
async function remember(ctx: AppContext, work: Work, r: Redirect): Promise<void> {
  const seconds = ctx.config.sieve.redirectDuplicateSeconds;
  const key = redirectKey(r);
  if (key === null || seconds <= 0) return;
  try {
    await ctx.store.sieve.duplicate(r.accountId, key, new Date(), seconds, false);
  } catch (error) {
    work.log.warn("sieve redirect sent but not remembered", { id: work.id, accountId: r.accountId, error });
  }
}

/** Pigeonhole's duplicate id for a redirect: Message-ID, target, and Resent-Message-ID (or
 *  Resent-From) and List-Id, so a message resent or coming again through a list is a new one; the
 *  account is the store's own key. Null without a Message-ID. */
export function redirectKey(r: Pick<Redirect, "address" | "body">): string | null {
  const { fields } = scanHeader(r.body, 0, r.body.length);
  const first = (name: string) => {
    const f = fields.find((x) => x.lname === name);
    return f ? r.body.subarray(f.valueStart, f.valueEnd).toString("utf8").trim() : "";
  };
  const id = first("message-id");
  if (id === "") return null;
  const parts = [
    id,
    r.address.toLowerCase(),
    first("resent-message-id") || first("resent-from"),
    first("list-id"),
  ];
  return `redirect:${createHash("sha256").update(parts.join("\n")).digest("base64url")}`;
}

/** The addresses named by the message's X-Sieve-Redirected-From fields, lower-cased. */
export function redirectedBy(message: Buffer): Set<string> {
  const out = new Set<string>();
  const { fields } = scanHeader(message, 0, message.length);
  for (const f of fields) {
    if (f.lname !== "x-sieve-redirected-from") continue;
    const v = message.subarray(f.valueStart, f.valueEnd).toString("utf8").trim();
    out.add(v.replace(/^<|>$/g, "").toLowerCase());
  }
  return out;
}

/** A refused redirect was maybe all the script did with the message: then the account keeps it
 *  (RFC 5228 §2.10.6 spirit: an action that fails must not lose the message). */
function keepLocally(work: Work, accountId: number): void {
  const plan = work.plans.get(accountId);
  if (plan && plan.copies.length === 0) plan.copies.push({ mailbox: null, flags: [], create: false });
}

async function send(ctx: AppContext, work: Work, r: Redirect): Promise<void> {
  const account = await ctx.store.directory.getAccount(r.accountId);
  if (!account) return;
  const mark = Buffer.from(`${REDIRECTED_FROM}: <${account.address}>\r\n`, "utf8");
  const { trace, content } = splitCopy(work, r.body);
  const l = work.letter;
  const original = l.recipients.find((x) => x.accountIds.includes(r.accountId));
  const dest = await resolveRecipient(ctx.store.directory, r.address, {
    disabledAccounts: ctx.config.delivery.disabledAccounts,
    ...(await srsResolveOption(ctx)),
  });
  if (dest.kind === "unknown" || dest.kind === "disabled") return; // checked before; gone since
  if (dest.kind === "local") {
    const posted = await ctx.postOffice.post({
      door: "redirect",
      mailFrom: l.mailFrom,
      recipients: [{ address: r.address, accountIds: dest.accountIds, remote: dest.remote, notify: null }],
      body: Buffer.concat([mark, trace, content]),
      origin: { kind: "local" },
      accountId: r.accountId,
      log: work.log,
    });
    work.log.info("sieve redirect delivered here", { id: work.id, to: r.address, as: posted.id });
    return;
  }
  // Our users' mail is signed as theirs (the signer signs only our domains); port 25 mail, here or
  // posted again by the redirect door, gets our ARC seal over what our checks found.
  const signed =
    l.door !== "inbound" && ctx.config.mailauth.signOutbound
      ? await mailauthFor(ctx).signer.sign(content)
      : content;
  const body = await sealForwarded(ctx, work, {
    copy: Buffer.concat([mark, trace, signed]),
    domain: account.domain,
  });
  const queued = await ctx.store.queue.enqueue({
    body,
    mailFrom: await forwardSender(ctx, l.mailFrom),
    recipients: [
      {
        address: r.address,
        notify: original?.notify ?? null,
        orcpt: `rfc822;${original?.address ?? account.address}`,
      },
    ],
    envId: l.envId ?? null,
    ret: l.ret ?? null,
    accountId: r.accountId,
  });
  work.queued = true;
  work.log.info("sieve redirect queued", { id: work.id, to: r.address, queueId: queued.id });
}

/** The redirect's message split into our trace and check fields (Received, Authentication-
 *  Results, filter fields) and the content, whichever way the sieve stage handed it over: with
 *  them (and maybe a Return-Path, which is for final delivery only: RFC 5321 §4.4) or without. */
function splitCopy(work: Work, body: Buffer): { trace: Buffer; content: Buffer } {
  let b = body;
  const first = scanHeader(b, 0, Math.min(b.length, 4096)).fields[0];
  if (first?.lname === "return-path") b = b.subarray(first.end);
  if (work.received.length > 0 && b.subarray(0, work.received.length).equals(work.received)) {
    const trace = Buffer.concat([work.received, work.authFields, work.filterFields]);
    if (b.subarray(0, trace.length).equals(trace)) return { trace, content: b.subarray(trace.length) };
    return { trace: work.received, content: b.subarray(work.received.length) };
  }
  return { trace: Buffer.concat([work.received, work.authFields, work.filterFields]), content: b };
}
