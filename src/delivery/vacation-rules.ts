// When a vacation auto-reply may be sent (RFC 3834 2 and 3.1, RFC 5230 4.5-4.6), as a pure
// function of the delivered message's header, its envelope sender and the addresses that are
// the user's. Anything automatic, bulk or from a list is not answered, nor mail that does not
// name the user in To/Cc (it came by Bcc, a list or an alias the user does not own).
import { MISSING_DOMAIN, MISSING_MAILBOX, parseAddressList } from "../mime/address.js";
import { fieldValue, scanHeader } from "../mime/headers.js";
import { addressKey, parseAddress, plusBase } from "./address.js";

export type Verdict =
  | { reply: true }
  | {
      reply: false;
      reason:
        | "null-sender"
        | "system-sender"
        | "own-message"
        | "auto-submitted"
        | "mailing-list"
        | "bulk"
        | "suppressed"
        | "not-addressed";
    };

export interface RuleInput {
  header: Buffer; // the message (only its header is read)
  mailFrom: string; // envelope sender; "" is the null sender
  /** The user's addresses (account address, identities, the envelope recipient). */
  own: readonly string[];
}

/** Canonical key of an address and of its sub-address base (alice+x@ → alice@). */
function keys(address: string): string[] {
  const a = parseAddress(address);
  if (!a) return [];
  const base = plusBase(a.local);
  const k = addressKey(a);
  return base === null ? [k] : [k, addressKey({ local: base, domain: a.domain })];
}

/** RFC 3834 2 / RFC 5230 4.5: senders that are software, not people. */
function isSystemSender(address: string): boolean {
  const local = (parseAddress(address)?.local ?? "").toLowerCase();
  return local === "mailer-daemon" || local.startsWith("owner-") || local.endsWith("-request");
}

export function vacationVerdict(i: RuleInput): Verdict {
  if (i.mailFrom === "") return { reply: false, reason: "null-sender" };
  if (isSystemSender(i.mailFrom)) return { reply: false, reason: "system-sender" };
  const own = new Set(i.own.flatMap(keys));
  if (keys(i.mailFrom).some((k) => own.has(k))) return { reply: false, reason: "own-message" };

  const { fields } = scanHeader(i.header, 0, i.header.length);
  const addressed: string[] = [];
  for (const f of fields) {
    const v = fieldValue(i.header, f);
    switch (f.lname) {
      case "auto-submitted": {
        // RFC 3834 5: anything but "no" (parameters after ";" do not count).
        const kw = dropComments(v.split(";")[0]!).trim().toLowerCase();
        if (kw !== "no") return { reply: false, reason: "auto-submitted" };
        break;
      }
      case "list-id":
      case "list-unsubscribe":
        return { reply: false, reason: "mailing-list" };
      case "x-auto-response-suppress": {
        // Microsoft's field (MS-OXCMAIL 2.2.3.2.14): "All" or "OOF" asks for no out-of-office
        // reply; Pigeonhole honours it too (vacation/reply.svtest).
        const kinds = v.split(",").map((k) => k.trim().toLowerCase());
        if (kinds.includes("all") || kinds.includes("oof")) return { reply: false, reason: "suppressed" };
        break;
      }
      case "precedence":
        if (/^(bulk|list|junk)$/i.test(v)) return { reply: false, reason: "bulk" };
        break;
      case "to":
      case "cc":
        for (const a of parseAddressList(v)) {
          if (a.mailbox === null || a.host === null) continue;
          if (a.mailbox === MISSING_MAILBOX || a.host === MISSING_DOMAIN) continue;
          addressed.push(`${a.mailbox}@${a.host}`);
        }
        break;
    }
  }
  // RFC 5230 4.5: reply only when one of the user's addresses is in To or Cc.
  if (!addressed.some((a) => keys(a).some((k) => own.has(k))))
    return { reply: false, reason: "not-addressed" };
  return { reply: true };
}

/** Drops "(…)" comments. A loop, not /\([^)]*\)/g: that regex rescans the rest of the field from
 *  every "(" without a ")", quadratic in a hostile Auto-Submitted header (issue 18). */
function dropComments(s: string): string {
  let out = "";
  let pos = 0;
  for (;;) {
    const open = s.indexOf("(", pos);
    if (open < 0) break;
    const close = s.indexOf(")", open + 1);
    if (close < 0) break; // no ")" after this "(", so none after a later one either
    out += s.slice(pos, open);
    pos = close + 1;
  }
  return out + s.slice(pos);
}
