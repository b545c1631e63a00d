// RFC 5429 reject / ereject <reason: string>: refuse the message. reject sends an MDN-style
// refusal (RFC 5429 2.2); ereject refuses in the protocol (a 5xx at the end of DATA) when it can.
// Either cancels the implicit keep and cannot be combined with keep, fileinto, redirect or vacation
// (RFC 5429 2.1; the runtime checks, Runtime.addAction).
import type { CommandDef, SieveExtension } from "../registry.js";
import { expand } from "../strings.js";

/** Longest refusal text kept (it goes into an SMTP reply or a short MDN). */
export const MAX_REASON = 4096;

function rejectCommand(name: "reject" | "ereject"): CommandDef {
  return {
    name,
    capability: name,
    positional: ["string"],
    compile(a, ctx) {
      const reason = ctx.string(a.positional[0]!);
      const pos = a.node;
      const extended = name === "ereject";
      return (rt) => {
        const text = expand(reason, rt).slice(0, MAX_REASON);
        rt.addAction(pos, { type: "reject", reason: text, extended }, { cancelsKeep: true });
      };
    },
  };
}

export const rejectExtension: SieveExtension = {
  capabilities: ["reject"],
  commands: [rejectCommand("reject")],
};

export const erejectExtension: SieveExtension = {
  capabilities: ["ereject"],
  commands: [rejectCommand("ereject")],
};
