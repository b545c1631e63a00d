// RFC 5230 vacation and RFC 6131 vacation-seconds:
//   vacation [":days" number | ":seconds" number] [":subject" string] [":from" string]
//            [":addresses" string-list] [":mime"] [":handle" string] <reason: string>
// The interpreter decides only what the script says (interval, handle, texts); the host applies
// the RFC 3834 / RFC 5230 4.5-4.6 checks and the once-per-sender memory, and sends the reply.
import type { ArgNode, Pos } from "../parser.js";
import type { CommandDef, CompileCtx, SieveExtension } from "../registry.js";
import type { Runtime } from "../runtime.js";
import { expand, expandAll } from "../strings.js";
import { bareVacationAddress, vacationHandle, vacationProblem, vacationSeconds } from "./vacation-params.js";

/** Site bounds when the caller's RunLimits carry none (the [sieve] config defaults). */
const DEFAULT_MIN_SECONDS = 86400;
const DEFAULT_MAX_SECONDS = 90 * 86400;

function needsVacation(node: Pos, ctx: CompileCtx): void {
  // RFC 6131 2: requiring "vacation-seconds" implies "vacation".
  if (!ctx.has("vacation") && !ctx.has("vacation-seconds")) {
    ctx.error(node, 'command "vacation" needs require "vacation"');
  }
}

export const vacationCommand: CommandDef = {
  name: "vacation",
  capability: null,
  positional: ["string"],
  tags: [
    { name: ":days", value: "number", group: "interval", capability: null },
    { name: ":seconds", value: "number", group: "interval", capability: "vacation-seconds" },
    { name: ":subject", value: "string", capability: null },
    { name: ":from", value: "string", capability: null },
    { name: ":addresses", value: "strings", capability: null },
    { name: ":mime", capability: null },
    { name: ":handle", value: "string", capability: null },
  ],
  validate(a, ctx) {
    needsVacation(a.node, ctx);
    const from = a.tags.get(":from");
    const fromValue = from ? ctx.constant(from) : null;
    const addrs = a.tags.get(":addresses");
    const list = addrs ? ctx.strings(addrs) : [];
    const constant = list.filter((s): s is string => typeof s === "string");
    const problem = vacationProblem({ from: fromValue, addresses: constant });
    if (problem !== null) ctx.error(from ?? addrs ?? a.node, problem);
  },
  compile(a, ctx) {
    const pos = a.node;
    const reason = ctx.string(a.positional[0]!);
    const days = a.tags.get(":days");
    const secs = a.tags.get(":seconds");
    const daysN = days ? ctx.number(days) : null;
    const secsN = secs ? ctx.number(secs) : null;
    const subject = a.tags.has(":subject") ? ctx.string(a.tags.get(":subject")!) : null;
    const from = a.tags.has(":from") ? ctx.string(a.tags.get(":from")!) : null;
    const addresses = a.tags.has(":addresses") ? ctx.strings(a.tags.get(":addresses")!) : [];
    const handle = a.tags.has(":handle") ? ctx.string(a.tags.get(":handle")!) : null;
    const mime = a.tags.has(":mime");
    // RFC 5230 4.2: without :handle, replies are told apart by reason, :subject, :from and
    // :mime as written in the script, before variables are expanded (so "Re: ${1}" is one
    // response whatever the subject), hence computed here, once.
    const written = (arg: ArgNode | undefined) => (arg?.kind === "string" ? arg.value.value : null);
    const defaultHandle = vacationHandle({
      reason: written(a.positional[0]) ?? "",
      subject: written(a.tags.get(":subject")),
      from: written(a.tags.get(":from")),
      mime,
      handle: null,
    });
    return (rt: Runtime) => {
      // RFC 5230 4.7 (and Pigeonhole): one vacation per run.
      if (rt.actions.some((x) => x.type === "vacation"))
        rt.fail(pos, "only one vacation action per script run");
      const args = {
        reason: expand(reason, rt),
        subject: subject === null ? null : expand(subject, rt),
        from: from === null ? null : expand(from, rt).trim(),
        addresses: expandAll(addresses, rt).map(bareVacationAddress),
        mime,
        handle: handle === null ? null : expand(handle, rt),
      };
      const problem = vacationProblem(args);
      if (problem !== null) rt.fail(pos, problem);
      const seconds = vacationSeconds(
        { days: daysN, seconds: secsN },
        {
          minSeconds: rt.limits.vacationMinSeconds ?? DEFAULT_MIN_SECONDS,
          maxSeconds: rt.limits.vacationMaxSeconds ?? DEFAULT_MAX_SECONDS,
        },
      );
      rt.addAction(
        pos,
        {
          type: "vacation",
          reason: args.reason,
          mime,
          subject: args.subject,
          from: args.from,
          addresses: args.addresses,
          handle: args.handle ?? defaultHandle,
          seconds,
        },
        // RFC 5230 4: vacation does not cancel the implicit keep.
        { cancelsKeep: false },
      );
    };
  },
};

export const vacationExtension: SieveExtension = {
  capabilities: ["vacation", "vacation-seconds"],
  commands: [vacationCommand],
};
