// What a copy we send on for someone else (a forwarding alias, a Sieve redirect) needs that our
// own mail does not:
//  - the envelope sender: a message from another domain leaves with an SRS address of ours
//    (src/outbound/srs.ts), so SPF passes at the receiver and a bounce comes back to us to be
//    reversed; the null sender stays null (RFC 5228 §4.2: a redirected bounce must not bounce
//    back into a loop) and our own domains' senders stay as they are (our IPs are in their SPF);
//  - an ARC set (RFC 8617) over the copy when it came in on port 25, recording what our checks
//    found, signed with the forwarding domain's key (src/mailauth/arc-seal.ts).
import { arcSeal } from "../mailauth/arc-seal.js";
import { authservIdOf } from "../mailauth/auth-results.js";
import { mailauthFor } from "../mailauth/services.js";
import { scanHeader } from "../mime/headers.js";
import { srsFor } from "../outbound/srs-service.js";
import type { AppContext } from "../server/context.js";
import type { Work } from "./types.js";

/** The envelope sender a forwarded copy of mail from `mailFrom` leaves with. */
export async function forwardSender(ctx: AppContext, mailFrom: string): Promise<string> {
  const at = mailFrom.lastIndexOf("@");
  if (mailFrom === "" || at < 0) return mailFrom;
  if ((await ctx.store.directory.getDomain(mailFrom.slice(at + 1).toLowerCase())) !== null) return mailFrom;
  const srs = await srsFor(ctx);
  return srs ? srs.forward(mailFrom) : mailFrom;
}

/** `copy` with an ARC set of `domain` on top when the message came from another server and our
 *  checks ran; else `copy` unchanged. Never fails the delivery: a problem is logged. */
export async function sealForwarded(
  ctx: AppContext,
  work: Work,
  opts: { copy: Buffer; domain: string },
): Promise<Buffer> {
  const checked = checksOf(ctx, work);
  if (checked === null) return opts.copy;
  if ((await ctx.store.directory.getDomain(opts.domain)) === null) return opts.copy;
  try {
    const out = await arcSeal(opts.copy, {
      dataDir: ctx.config.server.dataDir,
      domain: opts.domain,
      authFields: checked.authFields,
      arc: checked.arc,
    });
    if (!out.sealed) {
      work.log.info("forwarded without an ARC seal", {
        id: work.id,
        domain: opts.domain,
        reason: out.reason,
      });
      return opts.copy;
    }
    return Buffer.concat([out.fields, opts.copy]);
  } catch (e) {
    work.log.warn("ARC sealing failed", { id: work.id, domain: opts.domain, err: e as Error });
    return opts.copy;
  }
}

/** What our checks found: this pass's, or for a copy posted again by a Sieve redirect (the
 *  "redirect" door runs no checks) the Authentication-Results of ours it carries from its first
 *  pass (the only one naming us: others were removed then, RFC 8601 §5). Null: nothing checked. */
function checksOf(ctx: AppContext, work: Work): { authFields: Buffer; arc: string } | null {
  if (work.auth !== null && work.authFields.length > 0)
    return { authFields: work.authFields, arc: work.auth.arc };
  if (work.letter.door !== "redirect") return null;
  const id = mailauthFor(ctx).authservId.toLowerCase();
  const body = work.body;
  for (const f of scanHeader(body, 0, body.length).fields) {
    if (f.lname !== "authentication-results") continue;
    const value = body.subarray(f.valueStart, f.valueEnd).toString("utf8");
    if (authservIdOf(value)?.toLowerCase() !== id) continue;
    // mailauth writes the ARC result as its own resinfo ("; arc=pass (i=1 ...)"), none when absent
    const arc = /(?:^|;)\s*arc=([a-z]+)/i.exec(value)?.[1]?.toLowerCase() ?? "none";
    return { authFields: body.subarray(f.start, f.end), arc };
  }
  return null;
}

/** The domain of an address, lower-cased ("" when there is none). */
export function domainOf(address: string): string {
  const at = address.lastIndexOf("@");
  return at < 0 ? "" : address.slice(at + 1).toLowerCase();
}
