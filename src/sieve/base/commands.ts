// RFC 5228 3 and 4: the base language's commands: stop, keep, discard, redirect (require and
// if/elsif/else are structure, handled by the validator). fileinto is an extension
// (extensions/fileinto.ts).
import { flagsFor } from "../flags.js";
import type { CommandDef, Exec } from "../registry.js";
import { expand } from "../strings.js";
import { normalizeRedirectAddress, validRedirectAddress } from "./address-syntax.js";

/** RFC 5228 3.3 stop: ends the script; the implicit keep still applies if not cancelled. */
export const stopCommand: CommandDef = {
  name: "stop",
  capability: null,
  compile: (): Exec => (rt) => {
    rt.stopped = true;
  },
};

/** RFC 5228 4.3 keep (RFC 5232 5: with :flags, or the internal variable's flags). */
export const keepCommand: CommandDef = {
  name: "keep",
  capability: null,
  compile(a, ctx) {
    const flags = flagsFor(a, ctx);
    const pos = a.node;
    return (rt) =>
      rt.addAction(pos, { type: "keep", flags: flags(rt), implicit: false }, { cancelsKeep: true });
  },
};

/** RFC 5228 4.4 discard: cancels the implicit keep, nothing else. */
export const discardCommand: CommandDef = {
  name: "discard",
  capability: null,
  compile(a) {
    const pos = a.node;
    return (rt) => rt.addAction(pos, { type: "discard" }, { cancelsKeep: true });
  },
};

/** RFC 5228 4.2 redirect [:copy] <address: string> (RFC 3894 :copy keeps the implicit keep). */
export const redirectCommand: CommandDef = {
  name: "redirect",
  capability: null,
  positional: ["string"],
  validate(a, ctx) {
    const v = ctx.constant(a.positional[0]!);
    if (v !== null && !validRedirectAddress(v))
      ctx.error(a.positional[0]!, `invalid redirect address "${v}"`);
  },
  compile(a, ctx) {
    const address = ctx.string(a.positional[0]!);
    const copy = a.tags.has(":copy");
    const pos = a.node;
    return (rt) => {
      const given = expand(address, rt);
      const to = normalizeRedirectAddress(given);
      if (to === null) return rt.fail(pos, `invalid redirect address "${given.slice(0, 256)}"`);
      const before = rt.actions.length;
      rt.addAction(pos, { type: "redirect", address: to, copy }, { cancelsKeep: !copy });
      if (rt.actions.length > before && ++rt.redirects > rt.limits.maxRedirects) {
        rt.fail(pos, `number of redirect actions exceeds policy limit (${rt.limits.maxRedirects})`);
      }
    };
  },
};

export const baseCommands: CommandDef[] = [stopCommand, keepCommand, discardCommand, redirectCommand];
