// What the filter does with a score, per recipient: the config's thresholds, overridden per
// domain ([spam] domains), overridden by the user's own settings (store.spam prefs: allow and
// block lists, junk score, fileIntoJunk). Pure functions; the filter reads the prefs.
import type { SpamPrefs } from "../store/types.js";
import type { DomainPolicy, Thresholds } from "./domain-policy.js";

export {
  checkDomainPolicies,
  type DomainPolicy,
  parseDomainPolicies,
  parseDomainPolicy,
  type Thresholds,
} from "./domain-policy.js";

/** "a@b.example" matches that address; "@b.example" the domain and its subdomains. */
export function senderListed(list: readonly string[], address: string): boolean {
  const a = address.toLowerCase();
  const at = a.lastIndexOf("@");
  if (at < 0) return false;
  const domain = a.slice(at + 1);
  for (const e of list) {
    if (e.startsWith("@")) {
      const d = e.slice(1);
      if (domain === d || domain.endsWith(`.${d}`)) return true;
    } else if (e === a) return true;
  }
  return false;
}

export type InboundAction = "deliver" | "junk" | "reject";

export interface RecipientPolicy extends Thresholds {
  /** The user allow-listed a sender of this message: never junk, never refused. */
  allowed: boolean;
  /** The user block-listed a sender: always junk. */
  blocked: boolean;
}

/** The thresholds for one account: config, then its domain's override, then its own prefs.
 *  `senders` are the addresses the lists are matched against (envelope sender, From). */
export function recipientPolicy(opts: {
  config: Thresholds;
  domain: DomainPolicy | undefined;
  prefs: SpamPrefs | null;
  senders: readonly string[];
}): RecipientPolicy {
  const { config, domain, prefs } = opts;
  const t: Thresholds = { ...config, ...domain };
  if (prefs?.junkScore != null) t.junkScore = prefs.junkScore;
  if (prefs?.fileIntoJunk != null) t.fileIntoJunk = prefs.fileIntoJunk;
  const allowed = prefs !== null && opts.senders.some((s) => senderListed(prefs.allow, s));
  const blocked = !allowed && prefs !== null && opts.senders.some((s) => senderListed(prefs.block, s));
  return { ...t, allowed, blocked };
}

/** One recipient's action for a score. */
export function inboundAction(score: number, p: RecipientPolicy): InboundAction {
  if (p.allowed) return "deliver";
  if (p.rejectScore > 0 && score >= p.rejectScore) return "reject";
  if (p.blocked || score >= p.junkScore) return "junk";
  return "deliver";
}
