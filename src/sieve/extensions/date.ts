// RFC 5260: the date and currentdate tests ("date") and the :index / :last selection of header,
// address and date ("index", 6; the tests apply it through fields.ts indexPicker).
//   date [":zone" <time-zone> / ":originalzone"] [COMPARATOR] [MATCH-TYPE]
//        <header-name: string> <date-part: string> <key-list: string-list>
//   currentdate [":zone" <time-zone>] [COMPARATOR] [MATCH-TYPE] <date-part: string> <key-list>
import { fieldNames, gather, indexPicker } from "../fields.js";
import type { BoundArgs, CompileCtx, SieveExtension, TestDef } from "../registry.js";
import type { Runtime } from "../runtime.js";
import { expand } from "../strings.js";
import {
  type DatePart,
  datePart,
  headerDate,
  headerDatePart,
  isDatePart,
  parseZone,
  type ZoneChoice,
} from "./date-parts.js";

/** The local zone at an instant: the host's (the recipient's) then, with daylight saving time
 *  when the host knows it (zoneAt), else its one zone, else UTC. */
function localZone(rt: Runtime, at: number): number {
  const z = rt.host.zoneAt ? rt.host.zoneAt(new Date(at)) : rt.host.zone;
  return (z ? parseZone(z) : null) ?? 0;
}

/** A header date's part in the local zone of that date's instant; null: no date in the value. */
function localDatePart(value: string, part: DatePart, rt: Runtime): string | null {
  const d = headerDate(value);
  return d === null ? null : datePart(d.time, localZone(rt, d.time), part);
}

/** The date part argument: checked at compile time when constant (RFC 5260 4.2 lists them all). */
function partOf(args: BoundArgs, at: number, ctx: CompileCtx): (rt: Runtime) => DatePart | null {
  const arg = args.positional[at]!;
  const c = ctx.constant(arg);
  if (c !== null) {
    if (!isDatePart(c)) ctx.error(arg, `unknown date part "${c.slice(0, 40)}"`);
    const p = c.toLowerCase() as DatePart;
    return () => p;
  }
  const s = ctx.string(arg);
  return (rt) => {
    const v = expand(s, rt).toLowerCase();
    return isDatePart(v) ? (v as DatePart) : null;
  };
}

/** RFC 5260 4.1 :zone / :originalzone; a zone that is not "+hhmm"/"-hhmm" means the local zone
 *  (as Pigeonhole does; the RFC leaves it open). */
function zoneOf(args: BoundArgs, ctx: CompileCtx): (rt: Runtime) => ZoneChoice {
  if (args.tags.has(":originalzone")) return () => ({ kind: "original" });
  const z = args.tags.get(":zone");
  if (z === undefined) return () => ({ kind: "local" });
  const s = ctx.string(z);
  return (rt) => {
    const minutes = parseZone(expand(s, rt).trim());
    return minutes === null ? { kind: "local" } : { kind: "zone", minutes };
  };
}

const zoneTag = { name: ":zone", value: "string" as const, group: "zone" };

export const dateTest: TestDef = {
  name: "date",
  capability: "date",
  positional: ["string", "string", "strings"],
  matching: true,
  tags: [zoneTag, { name: ":originalzone", group: "zone" }],
  compile(a, ctx) {
    const names = fieldNames(a.positional[0]!, ctx);
    const part = partOf(a, 1, ctx);
    const match = ctx.matcher(a, ctx.strings(a.positional[2]!));
    const zone = zoneOf(a, ctx);
    const pick = indexPicker(a, ctx);
    return (rt) => {
      const p = part(rt);
      if (p === null) return false;
      const z = zone(rt);
      const values: string[] = [];
      // RFC 5260 4: a value that holds no valid date-time is skipped; :index counts fields.
      for (const v of pick(gather(names(rt), (n) => rt.msg.rawValues(n)))) {
        const d = z.kind === "local" ? localDatePart(v, p, rt) : headerDatePart(v, p, z, 0);
        if (d !== null) values.push(d);
      }
      return match(values, rt);
    };
  },
};

export const currentdateTest: TestDef = {
  name: "currentdate",
  capability: "date",
  positional: ["string", "strings"],
  matching: true,
  tags: [zoneTag],
  compile(a, ctx) {
    const part = partOf(a, 0, ctx);
    const match = ctx.matcher(a, ctx.strings(a.positional[1]!));
    const zone = zoneOf(a, ctx);
    return (rt) => {
      const p = part(rt);
      if (p === null) return false;
      const z = zone(rt);
      const minutes = z.kind === "zone" ? z.minutes : localZone(rt, rt.host.now.getTime());
      return match([datePart(rt.host.now.getTime(), minutes, p)], rt);
    };
  },
};

export const dateExtension: SieveExtension = {
  capabilities: ["date"],
  tests: [dateTest, currentdateTest],
};

/** RFC 5260 6: :index <fieldno> [:last] on header, address and date. */
export const indexExtension: SieveExtension = {
  capabilities: ["index"],
  tags: [
    { on: ["header", "address", "date"], tag: { name: ":index", value: "number" } },
    { on: ["header", "address", "date"], tag: { name: ":last" } },
  ],
};
