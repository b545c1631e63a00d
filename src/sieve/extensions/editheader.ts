// RFC 5293 editheader:
//   addheader [":last"] <field-name: string> <value: string>
//   deleteheader [":index" <fieldno: number> [":last"]] [COMPARATOR] [MATCH-TYPE]
//                <field-name: string> [<value-patterns: string-list>]
// Edits apply to the message the rest of the run sees (later header tests, filed copies,
// redirects: Runtime.msg and SieveResult.edited); vacation and reject quote the original.
import { MessageView } from "../message.js";
import type { CommandDef, SieveExtension } from "../registry.js";
import type { Runtime } from "../runtime.js";
import { expand } from "../strings.js";
import { EditableMessage, fieldNameProblem, fieldText, fieldValueProblem } from "./editheader-ops.js";

const STATE = "editheader";

/** The split message, kept between edits while the run's message is the one we produced. */
interface EditState {
  m: EditableMessage | null;
  produced: Buffer | null;
}

function editable(rt: Runtime): EditableMessage {
  const st = rt.state<EditState>(STATE, () => ({ m: null, produced: null }));
  if (st.m === null || st.produced !== rt.msg.raw) {
    st.m = EditableMessage.from(rt.msg.raw);
    st.produced = rt.msg.raw;
  }
  return st.m;
}

function commit(rt: Runtime, m: EditableMessage): void {
  const buf = m.toBuffer();
  rt.edited = buf;
  rt.msg = new MessageView(buf);
  rt.state<EditState>(STATE, () => ({ m: null, produced: null })).produced = buf;
}

export const addheaderCommand: CommandDef = {
  name: "addheader",
  capability: "editheader",
  positional: ["string", "string"],
  tags: [{ name: ":last" }],
  validate(a, ctx) {
    const name = ctx.constant(a.positional[0]!);
    const np = name === null ? null : fieldNameProblem(name);
    if (np !== null) ctx.error(a.positional[0]!, np);
    const value = ctx.constant(a.positional[1]!);
    const vp = value === null ? null : fieldValueProblem(value);
    if (vp !== null) ctx.error(a.positional[1]!, vp);
  },
  compile(a, ctx) {
    const pos = a.node;
    const name = ctx.string(a.positional[0]!);
    const value = ctx.string(a.positional[1]!);
    const last = a.tags.has(":last");
    return (rt) => {
      const n = expand(name, rt);
      const v = expand(value, rt);
      const problem = fieldNameProblem(n) ?? fieldValueProblem(v, rt.limits.editheaderMaxValueBytes);
      if (problem !== null) rt.fail(pos, `addheader: ${problem}`);
      const m = editable(rt);
      m.add(n, v, last);
      commit(rt, m);
    };
  },
};

export const deleteheaderCommand: CommandDef = {
  name: "deleteheader",
  capability: "editheader",
  positional: ["string", "strings"],
  optional: 1,
  matching: true,
  tags: [{ name: ":index", value: "number" }, { name: ":last" }],
  validate(a, ctx) {
    // RFC 5293 5: ":last" only counts from the end for ":index"; reported alone (the rest of
    // the command means nothing without it).
    if (a.tags.has(":last") && !a.tags.has(":index")) {
      ctx.error(a.tags.get(":last")!, "the :last tag cannot be specified without the :index tag");
      return;
    }
    const name = ctx.constant(a.positional[0]!);
    const np = name === null ? null : fieldNameProblem(name);
    if (np !== null) ctx.error(a.positional[0]!, np);
    const idx = a.tags.get(":index");
    if (idx !== undefined && ctx.number(idx) < 1) ctx.error(idx, ":index must be 1 or more");
  },
  compile(a, ctx) {
    const pos = a.node;
    const name = ctx.string(a.positional[0]!);
    const patterns = a.positional[1];
    const match = patterns === undefined ? null : ctx.matcher(a, ctx.strings(patterns));
    const idx = a.tags.get(":index");
    const index = idx === undefined ? null : ctx.number(idx);
    const last = a.tags.has(":last");
    return (rt) => {
      const n = expand(name, rt);
      const problem = fieldNameProblem(n);
      if (problem !== null) rt.fail(pos, `deleteheader: ${problem}`);
      const m = editable(rt);
      const matches = match === null ? undefined : (v: string) => match([v], rt);
      if (m.delete(n, { index, last, matches }) > 0) commit(rt, m);
    };
  },
};

/** Exposed for tests: the decoded value deleteheader patterns are compared against. */
export { fieldText };

export const editheaderExtension: SieveExtension = {
  capabilities: ["editheader"],
  commands: [addheaderCommand, deleteheaderCommand],
};
