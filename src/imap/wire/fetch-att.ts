// FETCH data items (RFC 9051 6.4.5, RFC 3501 6.4.5 for the rev1 items, RFC 7162 3.1.4 MODSEQ,
// RFC 3516 4.1 BINARY[part]<partial>, BINARY.PEEK and BINARY.SIZE, RFC 8474 EMAILID/THREADID,
// RFC 8514 SAVEDATE).
import { type Cursor, ParseError } from "./cursor.js";

export interface Section {
  part: number[]; // [] = the whole message
  spec: null | "HEADER" | "HEADER.FIELDS" | "HEADER.FIELDS.NOT" | "TEXT" | "MIME";
  fields: string[]; // for HEADER.FIELDS(.NOT), upper-cased
}

export type FetchAtt =
  | {
      kind:
        | "FLAGS"
        | "INTERNALDATE"
        | "RFC822.SIZE"
        | "ENVELOPE"
        | "BODYSTRUCTURE"
        | "BODY"
        | "UID"
        | "MODSEQ"
        | "RFC822"
        | "RFC822.HEADER"
        | "RFC822.TEXT"
        | "EMAILID" // RFC 8474 5.1
        | "THREADID" // RFC 8474 5.2
        | "SAVEDATE"; // RFC 8514 4.2
    }
  | { kind: "section"; peek: boolean; section: Section; partial: { start: number; length: number } | null }
  | { kind: "binary"; peek: boolean; part: number[]; partial: { start: number; length: number } | null }
  | { kind: "binary.size"; part: number[] };

const SIMPLE = new Set([
  "FLAGS",
  "INTERNALDATE",
  "RFC822.SIZE",
  "ENVELOPE",
  "BODYSTRUCTURE",
  "UID",
  "MODSEQ",
  "RFC822",
  "RFC822.HEADER",
  "RFC822.TEXT",
  "EMAILID",
  "THREADID",
  "SAVEDATE",
]);

const MACROS: Record<string, FetchAtt["kind"][]> = {
  ALL: ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"],
  FAST: ["FLAGS", "INTERNALDATE", "RFC822.SIZE"],
  FULL: ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"],
};

export function parseFetchAtts(c: Cursor): FetchAtt[] {
  if (c.peek() === 0x28) return c.list((x) => parseFetchAtt(x), { allowEmpty: false });
  const save = c.peek();
  if (save !== -1) {
    const macro = tryMacro(c);
    if (macro) return macro;
  }
  return [parseFetchAtt(c)];
}

function tryMacro(c: Cursor): FetchAtt[] | null {
  // Macros are only valid alone, never inside the parenthesized list.
  const probe = c.clone();
  const w = probe.word();
  const m = MACROS[w];
  if (!m || (probe.peek() !== -1 && probe.peek() !== 0x20)) return null;
  c.word();
  return m.map((kind) => ({ kind }) as FetchAtt);
}

export function parseFetchAtt(c: Cursor): FetchAtt {
  const name = c.word();
  if (name === "BINARY" || name === "BINARY.PEEK" || name === "BINARY.SIZE") {
    // section-binary = "[" [section-part] "]"
    c.char("[");
    const part: number[] = [];
    while (!c.maybeChar("]")) {
      if (part.length > 0) c.char(".");
      part.push(c.nzNumber());
      if (part.length > 64) throw new ParseError("Section too deep");
    }
    if (name === "BINARY.SIZE") return { kind: "binary.size", part };
    return { kind: "binary", peek: name === "BINARY.PEEK", part, partial: parsePartial(c) };
  }
  if (name === "BODY" || name === "BODY.PEEK") {
    if (c.peek() !== 0x5b) {
      if (name === "BODY.PEEK") throw new ParseError("BODY.PEEK needs a section");
      return { kind: "BODY" };
    }
    const section = parseSection(c);
    return { kind: "section", peek: name === "BODY.PEEK", section, partial: parsePartial(c) };
  }
  if (SIMPLE.has(name)) return { kind: name } as FetchAtt;
  throw new ParseError(`Unknown fetch item ${name}`);
}

function parsePartial(c: Cursor): { start: number; length: number } | null {
  if (!c.maybeChar("<")) return null;
  const start = c.number();
  c.char(".");
  const length = c.nzNumber();
  c.char(">");
  return { start, length };
}

function parseSection(c: Cursor): Section {
  c.char("[");
  const part: number[] = [];
  let spec: Section["spec"] = null;
  let fields: string[] = [];
  if (!c.maybeChar("]")) {
    for (;;) {
      if (c.peek() >= 0x30 && c.peek() <= 0x39) {
        part.push(c.nzNumber());
        if (part.length > 64) throw new ParseError("Section too deep");
        if (c.maybeChar(".")) continue;
        break;
      }
      const w = c.word();
      if (w === "HEADER" || w === "TEXT" || w === "HEADER.FIELDS" || w === "HEADER.FIELDS.NOT") spec = w;
      else if (w === "MIME" && part.length > 0) spec = w;
      else throw new ParseError(`Bad section ${w}`);
      if (spec === "HEADER.FIELDS" || spec === "HEADER.FIELDS.NOT") {
        c.sp();
        fields = c.list((x) => x.astring().toUpperCase(), { allowEmpty: false });
      }
      break;
    }
    c.char("]");
  }
  return { part, spec, fields };
}

/** The section as echoed in the response, e.g. `BODY[1.HEADER.FIELDS (SUBJECT)]<0>`. */
export function sectionLabel(att: Extract<FetchAtt, { kind: "section" }>, body = "BODY"): string {
  const s = att.section;
  let inner = s.part.join(".");
  if (s.spec) inner += (inner ? "." : "") + s.spec;
  if (s.fields.length) inner += ` (${s.fields.join(" ")})`;
  return `${body}[${inner}]` + (att.partial ? `<${att.partial.start}>` : "");
}

/** `BINARY[1.2]<0>` / `BINARY.SIZE[1]` as echoed in the response (RFC 3516 4.2). */
export function binaryLabel(att: Extract<FetchAtt, { kind: "binary" | "binary.size" }>): string {
  const inner = att.part.join(".");
  if (att.kind === "binary.size") return `BINARY.SIZE[${inner}]`;
  return `BINARY[${inner}]` + (att.partial ? `<${att.partial.start}>` : "");
}
