// Command syntax (RFC 9051 6 and 9): a frame becomes one typed Command. No behaviour here:
// the handlers in ../commands/ receive these and never look at bytes.
import { Cursor, type CursorOptions, ParseError } from "./cursor.js";
import { type FetchAtt, parseFetchAtts } from "./fetch-att.js";
import type { Frame } from "./reader.js";
import { parseSearchArgs, type SearchArgs } from "./search.js";
import { parseSequenceSet, type SequenceSet } from "./sequence.js";

export type StatusItem =
  | "MESSAGES"
  | "RECENT"
  | "UIDNEXT"
  | "UIDVALIDITY"
  | "UNSEEN"
  | "SIZE"
  | "HIGHESTMODSEQ"
  | "DELETED";

export type Command = { tag: string } & (
  | {
      name:
        | "CAPABILITY"
        | "NOOP"
        | "LOGOUT"
        | "STARTTLS"
        | "CHECK"
        | "CLOSE"
        | "UNSELECT"
        | "IDLE"
        | "NAMESPACE";
    }
  | { name: "EXPUNGE"; uids: SequenceSet | null } // uids: UID EXPUNGE (RFC 4315 2.1)
  | { name: "LOGIN"; user: string; password: string }
  | { name: "AUTHENTICATE"; mechanism: string; initial: string | null }
  | { name: "SELECT" | "EXAMINE"; mailbox: string; condstore: boolean }
  | { name: "CREATE" | "DELETE" | "SUBSCRIBE" | "UNSUBSCRIBE"; mailbox: string }
  | { name: "RENAME"; from: string; to: string }
  | { name: "LIST" | "LSUB"; reference: string; pattern: string }
  | { name: "STATUS"; mailbox: string; items: StatusItem[] }
  | { name: "APPEND"; mailbox: string; flags: string[]; date: Date | null; message: Buffer }
  | { name: "SEARCH"; uid: boolean; args: SearchArgs }
  | { name: "FETCH"; uid: boolean; set: SequenceSet; atts: FetchAtt[]; changedSince: number | null }
  | {
      name: "STORE";
      uid: boolean;
      set: SequenceSet;
      mode: "add" | "remove" | "replace";
      silent: boolean;
      flags: string[];
      unchangedSince: number | null;
    }
  | { name: "COPY" | "MOVE"; uid: boolean; set: SequenceSet; mailbox: string }
  | { name: "ID"; params: [string, string | null][] | null }
  | { name: "ENABLE"; capabilities: string[] }
  | { name: "GETQUOTAROOT"; mailbox: string }
  | { name: "GETQUOTA"; root: string }
);

export type CommandName = Command["name"];

/** A command that could not be parsed; `tag` null when even the tag was unreadable. */
export class CommandSyntaxError extends ParseError {
  constructor(
    readonly tag: string | null,
    message: string,
  ) {
    super(message);
  }
}

const STATUS_ITEMS = new Set<string>([
  "MESSAGES",
  "RECENT",
  "UIDNEXT",
  "UIDVALIDITY",
  "UNSEEN",
  "SIZE",
  "HIGHESTMODSEQ",
  "DELETED",
]);

const NO_ARGS = new Set([
  "CAPABILITY",
  "NOOP",
  "LOGOUT",
  "STARTTLS",
  "CHECK",
  "CLOSE",
  "UNSELECT",
  "IDLE",
  "NAMESPACE",
]);

export function parseCommand(frame: Frame, opts: CursorOptions): Command {
  const c = new Cursor(frame, opts);
  let tag: string;
  try {
    // tag = 1*<any ASTRING-CHAR except "+">
    tag = c.take((x) => x > 0x20 && x < 0x7f && !'(){%*"\\+'.includes(String.fromCharCode(x)), "a tag");
  } catch {
    throw new CommandSyntaxError(null, "Missing or invalid tag");
  }
  try {
    c.sp();
    return { tag, ...parseBody(c) } as Command;
  } catch (e) {
    if (e instanceof ParseError) throw new CommandSyntaxError(tag, e.message);
    throw e;
  }
}

type Body = Command extends infer C ? (C extends Command ? Omit<C, "tag"> : never) : never;

function parseBody(c: Cursor): Body {
  let name = c.keyword();
  let uid = false;
  if (name === "UID") {
    uid = true;
    c.sp();
    name = c.keyword();
    if (!["FETCH", "SEARCH", "STORE", "COPY", "MOVE", "EXPUNGE"].includes(name))
      throw new ParseError(`UID ${name} is not a command`);
  }
  if (NO_ARGS.has(name)) {
    c.end();
    return { name } as Body;
  }
  const r = parseArgs(name, uid, c);
  c.end();
  return r;
}

function parseArgs(name: string, uid: boolean, c: Cursor): Body {
  switch (name) {
    case "EXPUNGE":
      if (!uid) return { name, uids: null };
      c.sp();
      return { name, uids: parseSequenceSet(c) };
    case "LOGIN": {
      c.sp();
      const user = c.astring();
      c.sp();
      return { name, user, password: c.astring() };
    }
    case "AUTHENTICATE": {
      c.sp();
      const mechanism = c.atom().toUpperCase();
      const initial = c.maybeSp() ? c.take((x) => x > 0x20 && x < 0x7f, "an initial response") : null;
      return { name, mechanism, initial };
    }
    case "SELECT":
    case "EXAMINE": {
      c.sp();
      const mailbox = c.mailbox();
      let condstore = false;
      if (c.maybeSp()) {
        // RFC 7162 3.1.8 select parameter
        const params = c.list((x) => x.word());
        condstore = params.includes("CONDSTORE");
        if (params.some((p) => p !== "CONDSTORE")) throw new ParseError("Unknown SELECT parameter");
      }
      return { name, mailbox, condstore };
    }
    case "CREATE":
    case "DELETE":
    case "SUBSCRIBE":
    case "UNSUBSCRIBE": {
      c.sp();
      return { name, mailbox: c.mailbox() };
    }
    case "RENAME": {
      c.sp();
      const from = c.mailbox();
      c.sp();
      return { name, from, to: c.mailbox() };
    }
    case "LIST":
    case "LSUB": {
      c.sp();
      const reference = c.listMailbox();
      c.sp();
      return { name, reference, pattern: c.listMailbox() };
    }
    case "STATUS": {
      c.sp();
      const mailbox = c.mailbox();
      c.sp();
      const items = c.list(
        (x) => {
          const w = x.word();
          if (!STATUS_ITEMS.has(w)) throw new ParseError(`Unknown status item ${w}`);
          return w as StatusItem;
        },
        { allowEmpty: false },
      );
      return { name, mailbox, items };
    }
    case "APPEND": {
      c.sp();
      const mailbox = c.mailbox();
      c.sp();
      let flags: string[] = [];
      let date: Date | null = null;
      if (c.peek() === 0x28) {
        flags = c.flagList();
        c.sp();
      }
      if (c.peek() === 0x22) {
        date = c.dateTime();
        c.sp();
      }
      // RFC 6855 4: after ENABLE UTF8=ACCEPT the message may come as UTF8 (~{n}).
      if (c.peek() === 0x55 || c.peek() === 0x75) {
        if (c.word() !== "UTF8") throw new ParseError("Expected a literal");
        c.sp();
        c.char("(");
        const message = c.literalBytes();
        c.char(")");
        return { name, mailbox, flags, date, message };
      }
      return { name, mailbox, flags, date, message: c.literalBytes() };
    }
    case "SEARCH":
      c.sp();
      return { name, uid, args: parseSearchArgs(c) };
    case "FETCH": {
      c.sp();
      const set = parseSequenceSet(c);
      c.sp();
      const atts = parseFetchAtts(c);
      let changedSince: number | null = null;
      if (c.maybeSp()) {
        c.char("(");
        if (c.word() !== "CHANGEDSINCE") throw new ParseError("Unknown FETCH modifier");
        c.sp();
        changedSince = c.number();
        c.char(")");
      }
      return { name, uid, set, atts, changedSince };
    }
    case "STORE": {
      c.sp();
      const set = parseSequenceSet(c);
      c.sp();
      let unchangedSince: number | null = null;
      if (c.maybeChar("(")) {
        if (c.word() !== "UNCHANGEDSINCE") throw new ParseError("Unknown STORE modifier");
        c.sp();
        unchangedSince = c.number();
        c.char(")");
        c.sp();
      }
      let mode: "add" | "remove" | "replace" = "replace";
      if (c.maybeChar("+")) mode = "add";
      else if (c.maybeChar("-")) mode = "remove";
      const base = c.word();
      if (base !== "FLAGS" && base !== "FLAGS.SILENT") throw new ParseError("Bad STORE item");
      c.sp();
      const flags = c.peek() === 0x28 ? c.flagList() : spaceSeparatedFlags(c);
      return { name, uid, set, mode, silent: base === "FLAGS.SILENT", flags, unchangedSince };
    }
    case "COPY":
    case "MOVE": {
      c.sp();
      const set = parseSequenceSet(c);
      c.sp();
      return { name, uid, set, mailbox: c.mailbox() };
    }
    case "ID": {
      c.sp();
      const params = c.nstringListOrNil();
      return { name, params };
    }
    case "ENABLE": {
      const capabilities: string[] = [];
      while (c.maybeSp()) capabilities.push(c.atom().toUpperCase());
      if (capabilities.length === 0) throw new ParseError("ENABLE needs a capability");
      return { name, capabilities };
    }
    case "GETQUOTAROOT":
      c.sp();
      return { name, mailbox: c.mailbox() };
    case "GETQUOTA":
      c.sp();
      return { name, root: c.astring() };
    default:
      throw new ParseError(`Unknown command ${name}`);
  }
}

function spaceSeparatedFlags(c: Cursor): string[] {
  const flags = [c.flag()];
  while (c.maybeSp()) flags.push(c.flag());
  return flags;
}
