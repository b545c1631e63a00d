// RFC 5173 body [COMPARATOR] [MATCH-TYPE] [BODY-TRANSFORM] <key-list>: tests the body as :raw
// (the octets after the header, undecoded), :content <types> (the parts of those MIME types,
// transfer encoding and charset undone) or :text (the default: every text part, HTML reduced to
// its text). Bounded: each part is decoded only up to MAX_BODY_PART_BYTES, and the message is
// parsed once per run (MessageView.structure), the texts once per transform.
import { decodeLoose } from "../../mime/charset.js";
import { getHeaderFields } from "../../mime/headers.js";
import { textPrefixOf } from "../../mime/text.js";
import { decodeTransfer } from "../../mime/transfer.js";
import type { MimePart } from "../../mime/types.js";
import { asciiFold } from "../match.js";
import type { SieveExtension } from "../registry.js";
import type { Runtime } from "../runtime.js";
import { expandAll, type Str } from "../strings.js";

/** Most octets of one part (or of the raw body) a body test looks at. */
export const MAX_BODY_PART_BYTES = 1024 * 1024;
/** Most parts a body test looks at. */
export const MAX_BODY_PARTS = 256;

/** "" matches any type, "text" any text/*, "text/html" exactly that; a type that starts or ends
 *  with "/" or has two matches none (RFC 5173 5.2). */
function typeMatches(part: MimePart, wanted: readonly string[]): boolean {
  for (const w of wanted) {
    if (w === "") return true;
    const slash = w.indexOf("/");
    if (slash === 0 || w.endsWith("/") || (slash !== -1 && w.indexOf("/", slash + 1) !== -1)) continue;
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

const KNOWN_ENCODINGS = new Set(["7bit", "8bit", "binary", "base64", "quoted-printable"]);

/** A text part's type must be type "/" subtype: "text/plain/stupid" is no text type (RFC 2045
 *  5.1; our MIME parser reads it leniently as text/plain, Pigeonhole skips it). */
function isText(raw: Buffer, p: MimePart): boolean {
  if (p.type !== "text") return false;
  for (const f of getHeaderFields(raw.subarray(p.headerStart, p.bodyStart))) {
    if (f.name.toLowerCase() !== "content-type") continue;
    const semi = f.value.indexOf(";");
    const type = semi === -1 ? f.value : f.value.slice(0, semi);
    const slash = type.indexOf("/");
    return slash !== -1 && type.indexOf("/", slash + 1) === -1;
  }
  return true;
}

const latin1 = (raw: Buffer, start: number, end: number) =>
  raw.subarray(start, Math.min(end, start + MAX_BODY_PART_BYTES)).toString("latin1");

/** RFC 5173 5.2: a multipart's prologue and epilogue, each one string (boundaries left out). */
function prologueEpilogue(raw: Buffer, p: MimePart, out: string[]): void {
  const boundary = p.params.boundary;
  const first = p.parts[0];
  const last = p.parts[p.parts.length - 1];
  if (boundary === undefined || first === undefined || last === undefined) return;
  const delim = Buffer.from(`--${boundary}`);
  const open = raw.indexOf(delim, p.bodyStart);
  if (open !== -1 && open <= first.headerStart) out.push(latin1(raw, p.bodyStart, open));
  const close = raw.indexOf(Buffer.from(`--${boundary}--`), last.bodyEnd);
  if (close !== -1 && close < p.bodyEnd) {
    let start = close + delim.length + 2;
    if (raw[start] === 0x0d) start++;
    if (raw[start] === 0x0a) start++;
    out.push(latin1(raw, start, p.bodyEnd));
  }
}

/**
 * The strings a body test searches (RFC 5173 5.2): without `wanted` (:text) the decoded text of
 * every text part; with it (:content) every part of those types, descending into multiparts
 * (whose own prologue and epilogue count when "multipart" is wanted) and message/rfc822 parts
 * (whose header counts when "message" is wanted).
 */
function collect(
  raw: Buffer,
  p: MimePart,
  wanted: readonly string[] | null,
  out: string[],
  budget: { parts: number },
): void {
  if (--budget.parts < 0) return;
  if (p.parts.length > 0) {
    if (wanted !== null && typeMatches(p, wanted)) prologueEpilogue(raw, p, out);
    for (const c of p.parts) collect(raw, c, wanted, out, budget);
    return;
  }
  if (p.message !== null) {
    const root = p.message.root;
    if (wanted !== null && typeMatches(p, wanted)) {
      let end = root.bodyStart;
      // the header without the empty line that ends it
      if (raw[end - 1] === 0x0a) end--;
      if (raw[end - 1] === 0x0d) end--;
      out.push(latin1(raw, root.headerStart, end));
    }
    collect(raw, root, wanted, out, budget);
    return;
  }
  if (wanted === null) {
    // XHTML is HTML's text too (Pigeonhole's body/text.svtest).
    const xhtml = p.type === "application" && p.subtype === "xhtml+xml";
    if (!xhtml && !isText(raw, p)) return;
    // A transfer encoding we cannot undo (RFC 2045 6.4: unknown) leaves no text to search.
    if (!KNOWN_ENCODINGS.has(p.encoding)) return;
    const text = xhtml
      ? decodeLoose(
          decodeTransfer(
            raw.subarray(p.bodyStart, Math.min(p.bodyEnd, p.bodyStart + MAX_BODY_PART_BYTES)),
            p.encoding,
          ),
          p.params.charset,
        )
      : textPrefixOf(raw, p, MAX_BODY_PART_BYTES).text;
    out.push(p.subtype === "html" || xhtml ? htmlText(text) : text);
  } else if (typeMatches(p, wanted)) {
    out.push(
      isText(raw, p) ? textPrefixOf(raw, p, MAX_BODY_PART_BYTES).text : latin1(raw, p.bodyStart, p.bodyEnd),
    );
  }
}

function partTexts(rt: Runtime, wanted: readonly string[] | null): string[] {
  const key = wanted === null ? "body:text" : `body:content:${wanted.join("\u0000")}`;
  return rt.msg.derived(key, () => {
    if (!rt.msg.hasBody()) return [];
    const out: string[] = [];
    collect(rt.msg.raw, rt.msg.structure().root, wanted, out, { parts: MAX_BODY_PARTS });
    return out;
  });
}

function rawBody(rt: Runtime): string[] {
  return rt.msg.derived("body:raw", () => {
    if (!rt.msg.hasBody()) return [];
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
        const inner = ctx.matcher(a, ctx.strings(a.positional[0]!));
        // Pigeonhole's suite (body/match-values.svtest): a body test leaves the match variables
        // as they were; RFC 5173 does not list it among the tests that set them.
        const match = (values: readonly string[], rt: Runtime) => {
          const capturing = rt.capturing;
          rt.capturing = false;
          try {
            return inner(values, rt);
          } finally {
            rt.capturing = capturing;
          }
        };
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
