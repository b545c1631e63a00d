// Email/query filters (RFC 8621 4.4.1). Conditions on metadata are checked first; those that
// need headers or text load the message (cached parse, then the body only for body/text).
import { decodeHeaderValue } from "../../mime/encoded-word.js";
import { textOf } from "../../mime/text.js";
import type { EnvelopeAddress, MimePart } from "../../mime/types.js";
import type { FullTextField, MessageMeta, ParsedMessage } from "../../store/types.js";
import { isObject } from "../core/args.js";
import { invalidArgs, MethodError } from "../core/errors.js";
import type { Json, JsonObject, MethodContext } from "../core/types.js";
import type { MailboxSet } from "../mailbox/load.js";
import { bodyLists, hasAttachment } from "./body.js";
import { keywordToFlag } from "./keywords.js";

export interface Candidate {
  meta: MessageMeta;
  /** Loaded on demand, once. */
  parsed(): Promise<ParsedMessage | null>;
  body(): Promise<Buffer>;
  /** False when the store's full-text index rules out that the message holds `needle` (lower-
   *  cased) in `field` (MailStore.searchText); then no text condition on it needs reading it. */
  mayContain?(field: FullTextField, needle: string): boolean;
}

/** A text condition the full-text index can narrow: from/to/cc/bcc/subject are in its "text"
 *  field as this file renders them (mime/searchable.ts). */
export interface TextNeedle {
  field: FullTextField;
  needle: string;
}

const TEXT_FIELD: Record<string, FullTextField> = {
  from: "text",
  to: "text",
  cc: "text",
  bcc: "text",
  subject: "text",
  text: "text",
  body: "body",
};

/** The text conditions of a filter compileFilter accepted, lower-cased as it compares them. */
export function textNeedles(f: JsonObject, out: TextNeedle[] = [], depth = 0): TextNeedle[] {
  if (depth > 20) return out;
  if (Array.isArray(f.conditions)) {
    for (const c of f.conditions) if (isObject(c)) textNeedles(c, out, depth + 1);
    return out;
  }
  for (const [k, v] of Object.entries(f)) {
    const field = TEXT_FIELD[k];
    if (field && typeof v === "string") out.push({ field, needle: v.toLowerCase() });
  }
  return out;
}

type Check = (c: Candidate) => Promise<boolean>;

const hasFlag = (m: MessageMeta, k: string) => {
  const f = keywordToFlag(k).toLowerCase();
  return m.flags.some((x) => x.toLowerCase() === f);
};

function date(v: Json, name: string): number {
  const t = typeof v === "string" ? Date.parse(v) : Number.NaN;
  if (!Number.isFinite(t)) throw invalidArgs(`${name} must be a UTCDate`);
  return t;
}

const addrText = (l: EnvelopeAddress[]) =>
  l
    .map((a) => `${a.name ? decodeHeaderValue(a.name) : ""} ${a.mailbox ?? ""}@${a.host ?? ""}`)
    .join(" ")
    .toLowerCase();

function allText(body: Buffer, root: MimePart): string {
  const parts: string[] = [];
  const walk = (p: MimePart) => {
    if (p.parts.length > 0) p.parts.forEach(walk);
    else if (p.type === "text") parts.push(textOf(body, p));
  };
  walk(root);
  return parts.join("\n").toLowerCase();
}

/** Compiles a Filter (FilterOperator or FilterCondition) to a predicate. */
export function compileFilter(f: JsonObject, boxes: MailboxSet, mc: MethodContext, depth = 0): Check {
  if (depth > 20) throw invalidArgs("filter nested too deeply");
  if (typeof f.operator === "string") {
    if (!Array.isArray(f.conditions)) throw invalidArgs("FilterOperator needs conditions");
    const subs = f.conditions.map((c) => {
      if (!isObject(c)) throw invalidArgs("conditions must be objects");
      return compileFilter(c, boxes, mc, depth + 1);
    });
    switch (f.operator) {
      case "AND":
        return async (c) => {
          for (const s of subs) if (!(await s(c))) return false;
          return true;
        };
      case "OR":
        return async (c) => {
          for (const s of subs) if (await s(c)) return true;
          return false;
        };
      case "NOT":
        return async (c) => {
          for (const s of subs) if (await s(c)) return false;
          return true;
        };
      default:
        throw new MethodError("unsupportedFilter", `unknown operator ${f.operator}`);
    }
  }
  const checks: Check[] = [];
  const str = (k: string, v: Json): string => {
    if (typeof v !== "string") throw invalidArgs(`${k} must be a string`);
    return v.toLowerCase();
  };
  for (const [k, v] of Object.entries(f)) {
    switch (k) {
      case "inMailbox": {
        const m = boxes.find(v as string);
        const id = m ? m.id : -1;
        checks.push(async (c) => c.meta.mailboxId === id);
        break;
      }
      case "inMailboxOtherThan": {
        if (!Array.isArray(v)) throw invalidArgs("inMailboxOtherThan must be a list");
        const ids = new Set(v.map((x) => boxes.find(x as string)?.id ?? -1));
        checks.push(async (c) => !ids.has(c.meta.mailboxId));
        break;
      }
      case "before": {
        const t = date(v, k);
        checks.push(async (c) => c.meta.internalDate.getTime() < t);
        break;
      }
      case "after": {
        const t = date(v, k);
        checks.push(async (c) => c.meta.internalDate.getTime() >= t);
        break;
      }
      case "minSize":
        checks.push(async (c) => c.meta.size >= (v as number));
        break;
      case "maxSize":
        checks.push(async (c) => c.meta.size < (v as number));
        break;
      case "hasKeyword": {
        const kw = str(k, v);
        checks.push(async (c) => hasFlag(c.meta, kw));
        break;
      }
      case "notKeyword": {
        const kw = str(k, v);
        checks.push(async (c) => !hasFlag(c.meta, kw));
        break;
      }
      case "hasAttachment":
        checks.push(async (c) => {
          const p = await c.parsed();
          return p !== null && hasAttachment(bodyLists(p.structure)) === v;
        });
        break;
      case "from":
      case "to":
      case "cc":
      case "bcc": {
        const s = str(k, v);
        checks.push(async (c) => {
          if (c.mayContain?.("text", s) === false) return false;
          const p = await c.parsed();
          return p !== null && addrText(p.structure.envelope[k]).includes(s);
        });
        break;
      }
      case "subject": {
        const s = str(k, v);
        checks.push(async (c) => {
          if (c.mayContain?.("text", s) === false) return false;
          const p = await c.parsed();
          return (
            p !== null &&
            decodeHeaderValue(p.structure.envelope.subject ?? "")
              .toLowerCase()
              .includes(s)
          );
        });
        break;
      }
      case "body":
      case "text": {
        const s = str(k, v);
        checks.push(async (c) => {
          if (c.mayContain?.(k, s) === false) return false;
          const p = await c.parsed();
          if (!p) return false;
          const e = p.structure.envelope;
          if (
            k === "text" &&
            (decodeHeaderValue(e.subject ?? "")
              .toLowerCase()
              .includes(s) ||
              addrText([...e.from, ...e.to, ...e.cc, ...e.bcc]).includes(s))
          ) {
            return true;
          }
          return allText(await c.body(), p.structure.root).includes(s);
        });
        break;
      }
      default:
        throw new MethodError("unsupportedFilter", `unsupported filter property ${k}`);
    }
  }
  return async (c) => {
    for (const ch of checks) if (!(await ch(c))) return false;
    return true;
  };
}
