// RFC 5173 body [COMPARATOR] [MATCH-TYPE] [BODY-TRANSFORM] <key-list>: tests the body as :raw
// (the octets after the header, undecoded), :content <types> (the parts of those MIME types,
// transfer encoding and charset undone) or :text (the default: every text part, HTML reduced to
// its text). Bounded: each part is decoded only up to MAX_BODY_PART_BYTES, and the message is
// parsed once per run (MessageView.structure), the texts once per transform.
import { textPrefixOf } from "../../mime/text.js";
import type { MimePart } from "../../mime/types.js";
import { asciiFold } from "../match.js";
import type { SieveExtension } from "../registry.js";
import type { Runtime } from "../runtime.js";
import { expandAll, type Str } from "../strings.js";

/** Most octets of one part (or of the raw body) a body test looks at. */
export const MAX_BODY_PART_BYTES = 1024 * 1024;
/** Most parts a body test looks at. */
export const MAX_BODY_PARTS = 256;

function leaves(part: MimePart, out: MimePart[]): void {
  if (out.length >= MAX_BODY_PARTS) return;
  if (part.parts.length > 0) {
    for (const p of part.parts) leaves(p, out);
  } else if (part.message !== null) {
    leaves(part.message.root, out);
  } else out.push(part);
}

/** "" matches any type, "text" any text/*, "text/html" exactly that (RFC 5173 5.2). */
function typeMatches(part: MimePart, wanted: readonly string[]): boolean {
  for (const w of wanted) {
    if (w === "") return true;
    const slash = w.indexOf("/");
    if (
      slash === -1 ? part.type === w : part.type === w.slice(0, slash) && part.subtype === w.slice(slash + 1)
    )
      return true;
  }
  return false;
}

const BLOCK = /^\/?(p|br|div|li|tr|td|h[1-6]|table|ul|ol|hr|body|html|head|title)\b/;

/** Text of an HTML part without its tags and with the few common entities decoded; linear. */
export function htmlText(html: string): string {
  const lower = asciiFold(html); // same length as html, so offsets carry over
  let out = "";
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf("<", i);
    if (lt === -1) {
      out += html.slice(i);
      break;
    }
    out += html.slice(i, lt);
    const gt = html.indexOf(">", lt);
    if (gt === -1) break;
    const tag = lower.slice(lt + 1, Math.min(gt, lt + 8));
    if (tag.startsWith("style") || tag.startsWith("script")) {
      const close = lower.indexOf(`</${tag.startsWith("style") ? "style" : "script"}`, gt);
      i = close === -1 ? html.length : close;
      continue;
    }
    // Block elements separate words; inline ones (<b>, <a>, <span>) do not.
    if (BLOCK.test(tag)) out += " ";
    i = gt + 1;
  }
  return out.replace(/&(amp|lt|gt|quot|nbsp);/g, (_m, e: string) =>
    e === "amp" ? "&" : e === "lt" ? "<" : e === "gt" ? ">" : e === "quot" ? '"' : " ",
  );
}

function partTexts(rt: Runtime, wanted: readonly string[] | null): string[] {
  const key = wanted === null ? "body:text" : `body:content:${wanted.join("\u0000")}`;
  return rt.state(key, () => {
    const raw = rt.msg.raw;
    const parts: MimePart[] = [];
    leaves(rt.msg.structure().root, parts);
    const out: string[] = [];
    for (const p of parts) {
      if (wanted === null ? p.type !== "text" : !typeMatches(p, wanted)) continue;
      const { text } = textPrefixOf(raw, p, MAX_BODY_PART_BYTES);
      if (wanted !== null && p.type !== "text") {
        out.push(
          raw
            .subarray(p.bodyStart, Math.min(p.bodyEnd, p.bodyStart + MAX_BODY_PART_BYTES))
            .toString("latin1"),
        );
      } else out.push(p.subtype === "html" && wanted === null ? htmlText(text) : text);
    }
    return out;
  });
}

function rawBody(rt: Runtime): string[] {
  return rt.state("body:raw", () => {
    const start = rt.msg.bodyOffset();
    const end = Math.min(rt.msg.raw.length, start + MAX_BODY_PART_BYTES);
    return [rt.msg.raw.subarray(start, end).toString("utf8")];
  });
}

export const bodyExtension: SieveExtension = {
  capabilities: ["body"],
  tests: [
    {
      name: "body",
      capability: "body",
      positional: ["strings"],
      matching: true,
      tags: [
        { name: ":raw", group: "transform", capability: "body" },
        { name: ":text", group: "transform", capability: "body" },
        { name: ":content", value: "strings", group: "transform", capability: "body" },
      ],
      compile(a, ctx) {
        const match = ctx.matcher(a, ctx.strings(a.positional[0]!));
        if (a.tags.has(":raw")) return (rt) => match(rawBody(rt), rt);
        const content = a.tags.get(":content");
        if (content === undefined) return (rt) => match(partTexts(rt, null), rt);
        const types: Str[] = ctx.strings(content);
        return (rt) =>
          match(
            partTexts(
              rt,
              expandAll(types, rt).map((t) => t.toLowerCase()),
            ),
            rt,
          );
      },
    },
  ],
};
