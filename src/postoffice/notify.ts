// Stage "notify": the Sieve notify actions (RFC 5435) the sieve stage collected, for the mailto
// method (RFC 5436), sent once the copies are filed, through the "system" door (null envelope
// sender, our Received, DKIM-signed when they leave; notify-message.ts writes them).
//  - Never for a triggering message from the null sender or one that is itself automatic
//    (Auto-Submitted other than "no"): RFC 5436 §2.7, so notifications cannot loop.
//  - [sieve] maxNotify per account and message (the interpreter caps per run too) and
//    maxNotifyPerDay per account, counted per recipient (ctx.counters, a day's window), so one
//    URI listing a thousand addresses is a thousand notifications against the limit.
//  - Another method than mailto is not ours to send (the interpreter only accepts mailto): logged.
// A notification that cannot be sent is logged; the delivery stands.
import { fieldValue, scanHeader } from "../mime/headers.js";
import { isValidFrom, MAILTO_MAX_HEADERS, parseMailto } from "../sieve/extensions/mailto.js";
import { notificationMessage } from "./notify-message.js";
import type { Stage, Work } from "./types.js";

const DAY_MS = 86_400_000;

export const notifyStage: Stage = {
  name: "notify",
  doors: new Set(["inbound", "submission", "jmap", "system", "redirect"]),
  async run(work, { ctx }) {
    if (work.notifications.length === 0) return "next";
    const why = automatic(work);
    if (why !== null) {
      work.log.info("sieve notify not sent", { id: work.id, reason: why });
      return "next";
    }
    const cfg = ctx.config.sieve;
    const perAccount = new Map<number, number>();
    for (const n of work.notifications) {
      const nth = (perAccount.get(n.accountId) ?? 0) + 1;
      perAccount.set(n.accountId, nth);
      const skip = (reason: string) =>
        work.log.warn("sieve notify not sent", {
          id: work.id,
          accountId: n.accountId,
          method: n.method,
          reason,
        });
      if (nth > cfg.maxNotify) {
        skip(`more than ${cfg.maxNotify} notifications for one message`);
        continue;
      }
      const parsed = parseMailto(n.method, {
        maxRecipients: cfg.notifyMaxRecipients,
        maxHeaders: MAILTO_MAX_HEADERS,
      });
      if (!parsed.ok) {
        skip(`not a valid mailto URI: ${parsed.error}`);
        continue;
      }
      const uri = parsed.uri;
      const account = await ctx.store.directory.getAccount(n.accountId);
      if (!account) continue;
      const from = n.from !== null && isValidFrom(n.from) ? n.from.replace(/[\r\n]+/g, " ") : account.address;
      const body = notificationMessage({
        uri,
        from,
        importance: n.importance,
        message: n.message,
        trigger: work.body,
        hostname: ctx.config.server.hostname,
        now: new Date(),
      });
      for (const { address: to } of uri.recipients) {
        const today = await ctx.counters.incr(`sieve-notify:${n.accountId}`, DAY_MS);
        if (today > cfg.maxNotifyPerDay) {
          skip(`over the daily limit of ${cfg.maxNotifyPerDay} notifications`);
          break;
        }
        try {
          const posted = await ctx.postOffice.postSystem({
            body,
            to,
            accountId: n.accountId,
            notify: ["NEVER"],
          });
          work.log.info("sieve notify sent", { id: work.id, to, as: posted?.id ?? null });
        } catch (e) {
          work.log.error("sieve notify failed", { id: work.id, to, err: e as Error });
        }
      }
    }
    return "next";
  },
};

/** Why the message must not trigger notifications (RFC 5436 §2.7), or null. */
function automatic(work: Work): string | null {
  if (work.letter.mailFrom === "") return "the message is from the null sender";
  const { fields } = scanHeader(work.body, 0, work.body.length);
  const auto = fields.find((f) => f.lname === "auto-submitted");
  if (
    auto &&
    fieldValue(work.body, auto)
      .trim()
      .toLowerCase()
      .split(/[\s;(]/)[0] !== "no"
  )
    return "the message is Auto-Submitted";
  return null;
}
