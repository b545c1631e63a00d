// Command syntax (RFC 9051 6 and 9): a frame becomes one typed Command. No behaviour here:
// the handlers in ../commands/ receive these and never look at bytes.
import { Cursor, type CursorOptions, ParseError } from "./cursor.js";
import { type FetchAtt, parseFetchAtts } from "./fetch-att.js";
import type { Frame } from "./reader.js";
import type { SearchKey } from "./search.js";
import { parseSearchArgs, type SearchArgs } from "./search.js";
import { parseSequenceSet, type SequenceSet } from "./sequence.js";
import {
  parseCharsetAndKeys,
  parseSortCriteria,
  parseThreadAlgorithm,
  type SortCriterion,
  type ThreadAlgorithm,
} from "./sort.js";

export type StatusItem =
  | "MESSAGES"
  | "RECENT"
  | "UIDNEXT"
  | "UIDVALIDITY"
  | "UNSEEN"
  | "SIZE"
  | "HIGHESTMODSEQ"
  | "DELETED"
  | "MAILBOXID"; // RFC 8474 4.2

export interface AppendMessage {
  flags: string[];
  date: Date | null;
  message: Buffer;
  /** Sent as literal8 (`~{n}`, RFC 3516 4.4): it may hold binary content. */
  binary?: true;
}

/** LIST-EXTENDED options (RFC 5258 3, RFC 6154 3, RFC 5819 2); null on a basic LIST. */
export interface ListOptions {
  subscribed: boolean;
  remote: boolean;
  recursiveMatch: boolean;
  specialUse: boolean;
  returnChildren: boolean;
  returnSubscribed: boolean;
  returnSpecialUse: boolean;
  /** RETURN (STATUS (...)), RFC 5819 */
  status: StatusItem[] | null;
}

/** SELECT/EXAMINE (QRESYNC (...)) parameter, RFC 7162 3.2.5. seq-match-data is parsed and unused:
 * this server keeps every expunge's modseq, so known-uids is enough. */
export interface QresyncParams {
  uidValidity: number;
  modseq: number;
  knownUids: SequenceSet | null;
}

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
  | { name: "SELECT" | "EXAMINE"; mailbox: string; condstore: boolean; qresync: QresyncParams | null }
  | { name: "CREATE" | "DELETE" | "SUBSCRIBE" | "UNSUBSCRIBE"; mailbox: string }
  | { name: "RENAME"; from: string; to: string }
  | { name: "LIST" | "LSUB"; reference: string; patterns: string[]; options: ListOptions | null }
  | { name: "STATUS"; mailbox: string; items: StatusItem[] }
  | { name: "APPEND"; mailbox: string; messages: AppendMessage[] } // several: MULTIAPPEND, RFC 3502
  | { name: "SEARCH"; uid: boolean; args: SearchArgs }
  | { name: "SORT"; uid: boolean; criteria: SortCriterion[]; charset: string; key: SearchKey }
  | { name: "THREAD"; uid: boolean; algorithm: ThreadAlgorithm; charset: string; key: SearchKey }
  | {
      name: "FETCH";
      uid: boolean;
      set: SequenceSet;
      atts: FetchAtt[];
      changedSince: number | null;
      vanished: boolean; // RFC 7162 3.2.6
    }
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
  | { name: "COMPRESS"; mechanism: string } // RFC 4978 3
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
  "MAILBOXID",
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

/** tag = 1*<any ASTRING-CHAR except "+">: no CTL, space or ( ) { % * " \ + (RFC 9051 9). */
function isTagChar(x: number): boolean {
  return (
    x > 0x20 &&
    x < 0x7f &&
    x !== 0x28 && // (
    x !== 0x29 && // )
    x !== 0x7b && // {
    x !== 0x25 && // %
    x !== 0x2a && // *
    x !== 0x22 && // "
    x !== 0x5c && // \
    x !== 0x2b // +
  );
}

export function parseCommand(frame: Frame, opts: CursorOptions): Command {
  const c = new Cursor(frame, opts);
  let tag: string;
  try {
    // tag = 1*<any ASTRING-CHAR except "+">
    tag = c.take(isTagChar, "a tag");
  } catch {
    throw new CommandSyntaxError(null, "Missing or invalid tag");
  }
  try {
    c.sp();
    // The tag set on the parsed body rather than spread into a copy of it (a copy per command).
    const cmd = parseBody(c) as Command;
    cmd.tag = tag;
    return cmd;
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
    if (!["FETCH", "SEARCH", "STORE", "COPY", "MOVE", "EXPUNGE", "SORT", "THREAD"].includes(name))
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
      let qresync: QresyncParams | null = null;
      if (c.maybeSp()) {
        // RFC 7162 3.1.8 and 3.2.5 select parameters
        c.list((x) => {
          const w = x.word();
          if (w === "CONDSTORE") condstore = true;
          else if (w === "QRESYNC") {
            x.sp();
            qresync = parseQresync(x);
          } else throw new ParseError("Unknown SELECT parameter");
        });
      }
      return { name, mailbox, condstore, qresync };
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
    case "LSUB": {
      c.sp();
      const reference = c.listMailbox();
      c.sp();
      return { name, reference, patterns: [c.listMailbox()], options: null };
    }
    case "LIST":
      return parseList(c);
    case "STATUS": {
      c.sp();
      const mailbox = c.mailbox();
      c.sp();
      return { name, mailbox, items: parseStatusItems(c) };
    }
    case "APPEND": {
      c.sp();
      const mailbox = c.mailbox();
      const messages: AppendMessage[] = [];
      // RFC 3502 6: append-message *(SP append-message); the reader bounds the command's size.
      for (;;) {
        c.sp();
        messages.push(parseAppendMessage(c));
        if (c.atEnd()) break;
        if (messages.length >= (c.opts.maxAppendMessages ?? 1))
          throw new ParseError("Too many messages in one APPEND");
      }
      return { name, mailbox, messages };
    }
    case "SEARCH":
      c.sp();
      return { name, uid, args: parseSearchArgs(c) };
    case "SORT": {
      c.sp();
      const criteria = parseSortCriteria(c);
      c.sp();
      return { name, uid, criteria, ...parseCharsetAndKeys(c) };
    }
    case "THREAD": {
      c.sp();
      const algorithm = parseThreadAlgorithm(c);
      c.sp();
      return { name, uid, algorithm, ...parseCharsetAndKeys(c) };
    }
    case "FETCH": {
      c.sp();
      const set = parseSequenceSet(c);
      c.sp();
      const atts = parseFetchAtts(c);
      let changedSince: number | null = null;
      let vanished = false;
      if (c.maybeSp()) {
        c.list((x) => {
          const w = x.word();
          if (w === "VANISHED") vanished = true;
          else if (w === "CHANGEDSINCE") {
            x.sp();
            changedSince = x.number();
          } else throw new ParseError("Unknown FETCH modifier");
        });
        // RFC 7162 3.2.6: VANISHED only with CHANGEDSINCE.
        if (vanished && changedSince === null) throw new ParseError("VANISHED needs CHANGEDSINCE");
      }
      return { name, uid, set, atts, changedSince, vanished };
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
    case "COMPRESS":
      c.sp();
      return { name, mechanism: c.atom().toUpperCase() };
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

/** RFC 5258 6: LIST [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]. */
function parseList(c: Cursor): Body {
  c.sp();
  let options: ListOptions | null = null;
  const opts = (): ListOptions => {
    options ??= {
      subscribed: false,
      remote: false,
      recursiveMatch: false,
      specialUse: false,
      returnChildren: false,
      returnSubscribed: false,
      returnSpecialUse: false,
      status: null,
    };
    return options;
  };
  if (c.peek() === 0x28) {
    const o = opts();
    for (const w of c.list((x) => x.word())) {
      if (w === "SUBSCRIBED") o.subscribed = true;
      else if (w === "REMOTE") o.remote = true;
      else if (w === "RECURSIVEMATCH") o.recursiveMatch = true;
      else if (w === "SPECIAL-USE") o.specialUse = true;
      else throw new ParseError(`Unknown LIST selection option ${w}`);
    }
    // RFC 5258 3: RECURSIVEMATCH alone (or with only REMOTE) is an error.
    if (o.recursiveMatch && !o.subscribed && !o.specialUse)
      throw new ParseError("RECURSIVEMATCH needs another selection option");
    c.sp();
  }
  const reference = c.listMailbox();
  c.sp();
  let patterns: string[];
  if (c.peek() === 0x28) {
    opts();
    patterns = c.list((x) => x.listMailbox(), { allowEmpty: false });
  } else patterns = [c.listMailbox()];
  if (c.maybeSp()) {
    if (c.word() !== "RETURN") throw new ParseError("Expected RETURN");
    c.sp();
    const o = opts();
    c.list((x) => {
      const w = x.word();
      if (w === "CHILDREN") o.returnChildren = true;
      else if (w === "SUBSCRIBED") o.returnSubscribed = true;
      else if (w === "SPECIAL-USE") o.returnSpecialUse = true;
      else if (w === "STATUS") {
        x.sp();
        o.status = parseStatusItems(x);
      } else throw new ParseError(`Unknown LIST return option ${w}`);
    });
  }
  return { name: "LIST", reference, patterns, options };
}

// qresync-param = "QRESYNC" SP "(" uidvalidity SP mod-sequence-value [SP known-uids]
//                  [SP seq-match-data] ")"
function parseQresync(c: Cursor): QresyncParams {
  c.char("(");
  c.enter();
  const uidValidity = c.nzNumber();
  c.sp();
  const modseq = c.number();
  let knownUids: SequenceSet | null = null;
  if (c.maybeSp()) {
    if (c.peek() !== 0x28) knownUids = parseSequenceSet(c);
    if (c.peek() === 0x28 || (knownUids && c.maybeSp())) {
      c.char("(");
      parseSequenceSet(c);
      c.sp();
      parseSequenceSet(c);
      c.char(")");
    }
  }
  c.char(")");
  c.depth--;
  return { uidValidity, modseq, knownUids };
}

// append-message = [SP flag-list] [SP date-time] SP (literal / literal8 / "UTF8" SP "(" literal8 ")")
function parseAppendMessage(c: Cursor): AppendMessage {
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
    return { flags, date, message };
  }
  // RFC 3516 4.4: a literal8 may carry binary content (NULs, CTE binary), which APPEND re-encodes.
  if (c.peek() === 0x7e) return { flags, date, message: c.literalBytes(), binary: true };
  return { flags, date, message: c.literalBytes() };
}

function parseStatusItems(c: Cursor): StatusItem[] {
  return c.list(
    (x) => {
      const w = x.word();
      if (!STATUS_ITEMS.has(w)) throw new ParseError(`Unknown status item ${w}`);
      return w as StatusItem;
    },
    { allowEmpty: false },
  );
}

function spaceSeparatedFlags(c: Cursor): string[] {
  const flags = [c.flag()];
  while (c.maybeSp()) flags.push(c.flag());
  return flags;
}
