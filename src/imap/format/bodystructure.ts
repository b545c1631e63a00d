// BODY and BODYSTRUCTURE (RFC 9051 7.5.2 / RFC 3501 7.4.2) from the cached MimePart tree.
// `extended` adds the extension data BODYSTRUCTURE carries (md5, disposition, language, location).
import type { MimePart } from "../../mime/types.js";
import { type Item, Joined, q } from "../wire/writer.js";
import { envelopeItem } from "./envelope.js";

function params(p: Record<string, string>): Item {
  const keys = Object.keys(p);
  if (keys.length === 0) return null;
  return keys.flatMap((k) => [q(k.toUpperCase()), q(p[k]!)]);
}

function disposition(part: MimePart): Item {
  return part.disposition ? [q(part.disposition.type.toUpperCase()), params(part.disposition.params)] : null;
}

function language(part: MimePart): Item {
  if (!part.language || part.language.length === 0) return null;
  return part.language.map((l) => q(l));
}

export function bodyStructureItem(part: MimePart, extended: boolean): Item {
  if (part.parts.length > 0) {
    // A multipart is written as its children with no separator, then the subtype.
    const items: Item[] = [
      new Joined(part.parts.map((p) => bodyStructureItem(p, extended))),
      q(part.subtype.toUpperCase()),
    ];
    if (extended) items.push(params(part.params), disposition(part), language(part), q(part.location));
    return items;
  }
  const size = part.bodyEnd - part.bodyStart;
  const items: Item[] = [
    q(part.type.toUpperCase()),
    q(part.subtype.toUpperCase()),
    params(part.params),
    q(part.id),
    q(part.description),
    q(part.encoding.toUpperCase()),
    size,
  ];
  if (part.message) {
    items.push(
      envelopeItem(part.message.envelope),
      bodyStructureItem(part.message.root, extended),
      part.lines,
    );
  } else if (part.type === "text") {
    items.push(part.lines);
  }
  if (extended) items.push(q(part.md5), disposition(part), language(part), q(part.location));
  return items;
}
