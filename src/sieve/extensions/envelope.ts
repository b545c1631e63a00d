// RFC 5228 5.4 envelope [COMPARATOR] [ADDRESS-PART] [MATCH-TYPE] <envelope-part: string-list>
// <key-list>: the SMTP envelope's "from" (reverse-path) and "to" (this recipient's forward-path).
// A null reverse-path is the empty string whatever the address part (RFC 5228 5.4).
import { addressValues } from "../base/tests.js";
import { type SieveAddress, splitAddress } from "../message.js";
import type { SieveExtension } from "../registry.js";
import type { Runtime } from "../runtime.js";
import { expandAll } from "../strings.js";

const PARTS = new Set(["from", "to", "auth"]);

function envelopeAddresses(rt: Runtime, part: string): SieveAddress[] | null {
  const env = rt.envelope;
  const value = part === "from" ? env.from : part === "to" ? env.to : part === "auth" ? env.auth : null;
  if (value === null || value === undefined) return [];
  if (value === "" || value === "<>") return null;
  // RFC 5228 2.7.4: an address that is not syntactically valid is not matched (Pigeonhole matches
  // it with nothing at all): "a@@b", "a b", "x:a@b", "a@". Lenient where mail is: dots anywhere in
  // the local part, "_" in the domain; a bare local part is a valid recipient ("MAILER-DAEMON").
  if (!validPath(value)) return [];
  return [splitAddress(value)];
}

const LOCAL = /^[\w!#$%&'*+/=?^`{|}~.\-\u0080-\uffff]+$/;
const QUOTED = /^"(?:[^"\\\r\n]|\\[^\r\n])*"$/;
const DOMAIN = /^(?:[\w.\-\u0080-\uffff]+|\[[^[\]\\\s]+\])$/;

function validPath(value: string): boolean {
  const at = value.lastIndexOf("@");
  const local = at === -1 ? value : value.slice(0, at);
  if (!(LOCAL.test(local) || QUOTED.test(local))) return false;
  return at === -1 || DOMAIN.test(value.slice(at + 1));
}

export const envelopeExtension: SieveExtension = {
  capabilities: ["envelope"],
  tests: [
    {
      name: "envelope",
      capability: "envelope",
      positional: ["strings", "strings"],
      matching: true,
      addressPart: true,
      validate(a, ctx) {
        const arg = a.positional[0]!;
        const lits = arg.kind === "list" ? arg.values : arg.kind === "string" ? [arg.value] : [];
        for (const l of lits) {
          if (!PARTS.has(l.value.toLowerCase())) ctx.error(l, `unknown envelope part "${l.value}"`);
        }
      },
      compile(a, ctx) {
        const parts = ctx.strings(a.positional[0]!);
        const match = ctx.matcher(a, ctx.strings(a.positional[1]!));
        const part = ctx.addressPart(a);
        return (rt) => {
          const values: string[] = [];
          for (const p of expandAll(parts, rt)) {
            const addrs = envelopeAddresses(rt, p.toLowerCase());
            if (addrs === null) values.push("");
            else values.push(...addressValues(addrs, part));
          }
          return match(values, rt);
        };
      },
    },
  ],
};
