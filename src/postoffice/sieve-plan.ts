// Turning the actions of one account's scripts (the global before script, the user's, the global
// after script, run in that order) into what the post office does: the copies to file, the
// replies to send, the redirects and notifications. Pure: the stage runs the scripts, this adds
// up what they asked for.
//
// Chaining follows Dovecot's sieve_before / sieve_after: there is one implicit keep for the whole
// chain (RFC 5228 2.10.2); any script's fileinto, redirect, discard or reject cancels it, and it
// is carried out once at the end, with the flags any script gave it (each script has its own
// imap4flags variable, RFC 5232 3: a global after script that sets none must not drop the
// user's \Seen). `stop` ends only the script that ran it.
import type { SieveAction, SieveResult } from "../sieve/types.js";
import type { AccountPlan } from "./types.js";

export type VacationAction = Extract<SieveAction, { type: "vacation" }>;
export type RejectAction = Extract<SieveAction, { type: "reject" }>;
export type NotifyAction = Extract<SieveAction, { type: "notify" }>;

/** The chain's actions so far; `add` each script's result in order. */
export class ChainResult {
  /** The implicit keep has not been cancelled by any script yet. */
  implicitKeep = true;
  private implicitFlags: string[] = [];
  private readonly explicit: SieveAction[] = [];

  /** One script's result. A runtime error's result is the implicit keep (types.ts): it is made an
   *  explicit keep, so a later script cannot cancel it and the message is never lost. */
  add(result: SieveResult): void {
    let kept = false;
    for (const a of result.actions) {
      if (a.type === "keep" && a.implicit !== false && result.error === null) {
        kept = true;
        for (const f of a.flags) if (!this.implicitFlags.includes(f)) this.implicitFlags.push(f);
      } else this.explicit.push(a);
    }
    if (!kept) this.implicitKeep = false;
  }

  /** The account's plan and the actions carried out elsewhere (each kind at most once per
   *  target, RFC 5228 4.2: duplicates file or send once). */
  finish(): {
    plan: AccountPlan["copies"];
    reject: RejectAction | null;
    vacation: VacationAction | null;
    redirects: { address: string }[];
    notifications: NotifyAction[];
  } {
    const copies = new Map<string, AccountPlan["copies"][number]>();
    const file = (mailbox: string | null, flags: string[], create: boolean) => {
      // "INBOX" in any case is the inbox (RFC 3501 5.1); null is the keep (INBOX or Junk).
      const name = mailbox !== null && mailbox.toUpperCase() === "INBOX" ? "INBOX" : mailbox;
      const key = name === null ? "" : `=${name}`;
      const old = copies.get(key);
      if (old) {
        for (const f of flags) if (!old.flags.includes(f)) old.flags.push(f);
        old.create ||= create;
      } else copies.set(key, { mailbox: name, flags: [...flags], create });
    };
    let reject: RejectAction | null = null;
    let vacation: VacationAction | null = null;
    const redirects = new Map<string, { address: string }>();
    const notifications: NotifyAction[] = [];
    for (const a of this.explicit) {
      switch (a.type) {
        case "keep":
          file(null, a.flags, false);
          break;
        case "fileinto":
          file(a.mailbox, a.flags, a.create);
          break;
        case "redirect":
          if (!redirects.has(a.address.toLowerCase()))
            redirects.set(a.address.toLowerCase(), { address: a.address });
          break;
        case "discard":
          break;
        case "reject":
          reject ??= a;
          break;
        case "vacation":
          // RFC 5230 4: one vacation per run; across the chain, the first script's.
          vacation ??= a;
          break;
        case "notify":
          notifications.push(a);
          break;
      }
    }
    if (this.implicitKeep) file(null, this.implicitFlags, false);
    // RFC 5429 2.1: a rejected message is not filed (reject cancels the implicit keep, and a
    // script cannot both reject and file it); another script of the chain filing it loses.
    const plan = reject === null ? [...copies.values()] : [];
    return { plan, reject, vacation, redirects: [...redirects.values()], notifications };
  }
}
