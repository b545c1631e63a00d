// The result a Pigeonhole test file looks at and changes, on the interpreter's Runtime: the
// actions so far and the implicit keep (test_result_action, test_result_execute, test_result_reset),
// another script's result taken over (test_script_run, with :append_result merged as the post
// office chains scripts), and the message and envelope a test makes current (test_set,
// test_message). Test code only.
import type { ChainResult } from "../../postoffice/sieve-plan.js";
import { MessageView } from "../message.js";
import type { Runtime } from "../runtime.js";
import type { SieveAction, SieveResult } from "../types.js";
import type { TestsuiteState } from "./state.js";

/** types.ts: a keep without `implicit` counts as the implicit keep. */
export const isImplicit = (a: SieveAction) => a.type === "keep" && a.implicit !== false;

/** Pigeonhole's action names (sieve-actions.c): fileinto is "store". */
export function actionName(a: SieveAction): string {
  return a.type === "fileinto" ? "store" : a.type;
}

/** The result as the test file sees it now: the actions, and the implicit keep when it stands
 *  (RFC 5228 2.10.2; RFC 5232 3: with the internal flags). */
export function currentResult(rt: Runtime): { actions: SieveAction[]; edited: Buffer | null } {
  const actions = rt.actions.slice();
  if (rt.implicitKeep) actions.push({ type: "keep", flags: rt.flags.slice(), implicit: true });
  return { actions, edited: rt.edited };
}

/** Makes the state's message and envelope the run's (test_set, test_message). The imap4flags
 *  internal variable starts from the new message's flags, as Pigeonhole's does (a message just
 *  set has none; one read back from the test store has what was stored). */
export function adoptMessage(rt: Runtime, state: TestsuiteState, flags: readonly string[] = []): void {
  rt.message.raw = state.message;
  rt.flags = flags.slice();
  rt.msg = new MessageView(state.message);
  rt.edited = null;
  rt.envelope.from = state.envelope.from;
  rt.envelope.to = state.envelope.to;
  rt.envelope.orcpt = state.envelope.origTo;
  rt.envelope.auth = state.envelope.auth;
}

export function resetResult(rt: Runtime): void {
  rt.actions.length = 0;
  rt.implicitKeep = true;
  rt.edited = null;
  rt.redirects = 0;
  rt.notifies = 0;
}

/** Replaces (or extends) the run's result with another run's (test_script_run). */
export function adoptResult(rt: Runtime, r: SieveResult, append: boolean): void {
  if (!append) resetResult(rt);
  let implicit = false;
  for (const a of r.actions) {
    if (isImplicit(a)) {
      implicit = true;
      continue;
    }
    if (append && mergedInto(rt.actions, a)) continue;
    rt.actions.push(a);
  }
  rt.implicitKeep = append ? rt.implicitKeep && implicit : implicit;
  if (r.edited !== null) rt.edited = r.edited;
}

/** :append_result adds a script's actions as the post office chains scripts (ChainResult in
 *  src/postoffice/sieve-plan.ts): one copy per mailbox (flags merged), one redirect per address,
 *  the first reject and the first vacation only. True when `a` was merged (not to be added). */
export function mergedInto(actions: SieveAction[], a: SieveAction): boolean {
  const box = (x: SieveAction) =>
    x.type === "keep"
      ? "INBOX"
      : x.type === "fileinto"
        ? x.mailbox.toUpperCase() === "INBOX"
          ? "INBOX"
          : x.mailbox
        : null;
  for (let i = 0; i < actions.length; i++) {
    const b = actions[i]!;
    if (box(a) !== null && box(a) === box(b) && (b.type === "keep" || b.type === "fileinto")) {
      for (const f of a.type === "keep" || a.type === "fileinto" ? a.flags : [])
        if (!b.flags.includes(f)) b.flags.push(f);
      // RFC 5228 4.3: keep is fileinto the inbox; the merged copy is the keep.
      if (a.type === "keep" && b.type === "fileinto")
        actions[i] = { type: "keep", flags: b.flags, implicit: false };
      return true;
    }
    if (a.type === "redirect" && b.type === "redirect" && a.address.toLowerCase() === b.address.toLowerCase())
      return true;
    if ((a.type === "reject" || a.type === "vacation") && b.type === a.type) return true;
  }
  return false;
}

/** The actions the post office carries out for a chain's result (ChainResult.finish). */
export function chainActions(chain: ChainResult): SieveAction[] {
  const out = chain.finish();
  const actions: SieveAction[] = out.plan.map((c) =>
    c.mailbox === null
      ? { type: "keep", flags: c.flags, implicit: false }
      : { type: "fileinto", mailbox: c.mailbox, flags: c.flags, create: c.create },
  );
  if (out.reject) actions.push(out.reject);
  if (out.vacation) actions.push(out.vacation);
  for (const r of out.redirects) actions.push({ type: "redirect", address: r.address, copy: true });
  actions.push(...out.notifications);
  return actions;
}
