// BODY[section]<partial> contents (RFC 9051 6.4.5): slices of the stored message located through
// the cached MimePart offsets, so nothing is parsed again.
import { selectHeaderFields } from "../../mime/headers.js";
import { partAt } from "../../mime/section.js";
import type { MessageStructure, MimePart } from "../../mime/types.js";
import type { Section } from "../wire/fetch-att.js";

export function sectionBytes(body: Buffer, structure: MessageStructure, section: Section): Buffer {
  const part = partAt(structure, section.part);
  if (!part) return Buffer.alloc(0);
  if (section.spec === null)
    return section.part.length === 0 ? body : body.subarray(part.bodyStart, part.bodyEnd);
  if (section.spec === "MIME") return body.subarray(part.headerStart, part.bodyStart);
  // HEADER / TEXT / HEADER.FIELDS of a nested part apply to the message it encapsulates.
  let root: MimePart | null = part;
  if (section.part.length > 0) root = part.message?.root ?? null;
  if (!root) return Buffer.alloc(0);
  const header = body.subarray(root.headerStart, root.bodyStart);
  switch (section.spec) {
    case "HEADER":
      return header;
    case "TEXT":
      return body.subarray(root.bodyStart, root.bodyEnd);
    case "HEADER.FIELDS":
      return selectHeaderFields(header, section.fields, false);
    case "HEADER.FIELDS.NOT":
      return selectHeaderFields(header, section.fields, true);
  }
}

export function applyPartial(data: Buffer, partial: { start: number; length: number } | null): Buffer {
  if (!partial) return data;
  if (partial.start >= data.length) return Buffer.alloc(0);
  return data.subarray(partial.start, partial.start + partial.length);
}
