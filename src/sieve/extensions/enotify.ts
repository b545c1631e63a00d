// RFC 5435 enotify with the mailto method (RFC 5436):
//   notify [":from" string] [":importance" <"1" / "2" / "3">] [":options" string-list]
//          [":message" string] <method: string>
//   valid_notify_method <notification-uris: string-list>
//   notify_method_capability [COMPARATOR] [MATCH-TYPE] <notification-uri: string>
//          <notification-capability: string> <key-list: string-list>
//   set :encodeurl (RFC 5435 6)
// The action carries what the script said; the post office composes and sends the message
// (RFC 5436 2.7), within the per-day limit.
import type { CommandDef, SieveExtension, TestDef } from "../registry.js";
import type { Runtime } from "../runtime.js";
import { expand, expandAll } from "../strings.js";
import {
  encodeUrl,
  fromProblem,
  methodProblem,
  notifyMethodCapability,
  optionProblem,
  parseImportance,
  validNotifyMethods,
} from "./notify-params.js";

/** RFC 5436 2.7 / RFC 3834 2: no notification about a message that is itself automatic. */
function autoSubmitted(rt: Runtime): boolean {
  for (const v of rt.msg.rawValues("auto-submitted")) {
    const kw = v.split(";")[0]!.trim().toLowerCase();
    if (kw !== "no") return true;
  }
  return false;
}

export const notifyCommand: CommandDef = {
  name: "notify",
  capability: "enotify",
  positional: ["string"],
  tags: [
    { name: ":from", value: "string" },
    { name: ":importance", value: "string" },
    { name: ":options", value: "strings" },
    { name: ":message", value: "string" },
  ],
  validate(a, ctx) {
    const method = ctx.constant(a.positional[0]!);
    const mp = method === null ? null : methodProblem(method);
    if (mp !== null) ctx.error(a.positional[0]!, mp);
    const from = a.tags.get(":from");
    const f = from ? ctx.constant(from) : null;
    const fp = f === null ? null : fromProblem(f);
    if (fp !== null) ctx.error(from!, fp);
    const imp = a.tags.get(":importance");
    const i = imp ? ctx.constant(imp) : null;
    if (i !== null && parseImportance(i) === null) ctx.error(imp!, ':importance must be "1", "2" or "3"');
    const opts = a.tags.get(":options");
    if (opts) {
      for (const o of ctx.strings(opts)) {
        const op = typeof o === "string" ? optionProblem(o) : null;
        if (op !== null) ctx.error(opts, op);
      }
    }
  },
  compile(a, ctx) {
    const pos = a.node;
    const method = ctx.string(a.positional[0]!);
    const from = a.tags.has(":from") ? ctx.string(a.tags.get(":from")!) : null;
    const importance = a.tags.has(":importance") ? ctx.string(a.tags.get(":importance")!) : null;
    const options = a.tags.has(":options") ? ctx.strings(a.tags.get(":options")!) : [];
    const message = a.tags.has(":message") ? ctx.string(a.tags.get(":message")!) : null;
    return (rt) => {
      const m = expand(method, rt).trim();
      const problem = methodProblem(m);
      if (problem !== null) rt.fail(pos, problem);
      const f = from === null ? null : expand(from, rt).trim();
      const fp = f === null ? null : fromProblem(f);
      if (fp !== null) rt.fail(pos, fp);
      const imp = importance === null ? 2 : parseImportance(expand(importance, rt).trim());
      if (imp === null) return rt.fail(pos, ':importance must be "1", "2" or "3"');
      const opts = expandAll(options, rt);
      for (const o of opts) {
        const op = optionProblem(o);
        if (op !== null) rt.fail(pos, op);
      }
      const text = message === null ? null : expand(message, rt);
      if (autoSubmitted(rt)) return;
      // RFC 5435 3.? (and Pigeonhole): the same notification twice is sent once.
      const dup = rt.actions.some(
        (x) =>
          x.type === "notify" && x.method === m && x.message === text && x.from === f && x.importance === imp,
      );
      if (dup) return;
      if (++rt.notifies > rt.limits.maxNotify)
        rt.fail(pos, `number of notify actions exceeds policy limit (${rt.limits.maxNotify})`);
      rt.addAction(
        pos,
        { type: "notify", method: m, from: f, importance: imp, options: opts, message: text },
        // RFC 5435 3: notify does not cancel the implicit keep.
        { cancelsKeep: false },
      );
    };
  },
};

export const validNotifyMethodTest: TestDef = {
  name: "valid_notify_method",
  capability: "enotify",
  positional: ["strings"],
  compile(a, ctx) {
    const uris = ctx.strings(a.positional[0]!);
    return (rt) => validNotifyMethods(expandAll(uris, rt).map((u) => u.trim()));
  },
};

export const notifyMethodCapabilityTest: TestDef = {
  name: "notify_method_capability",
  capability: "enotify",
  positional: ["string", "string", "strings"],
  matching: true,
  compile(a, ctx) {
    const uri = ctx.string(a.positional[0]!);
    const cap = ctx.string(a.positional[1]!);
    const match = ctx.matcher(a, ctx.strings(a.positional[2]!));
    return (rt) => {
      const v = notifyMethodCapability(expand(uri, rt).trim(), expand(cap, rt));
      return v !== null && match([v], rt);
    };
  },
};

export const enotifyExtension: SieveExtension = {
  capabilities: ["enotify"],
  commands: [notifyCommand],
  tests: [validNotifyMethodTest, notifyMethodCapabilityTest],
  // RFC 5435 6: precedence 15, with :quotewildcard (RFC 5229 4.1 lists 40 ... 10).
  modifiers: [{ name: ":encodeurl", precedence: 15, apply: encodeUrl }],
};
