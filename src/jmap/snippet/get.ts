// SearchSnippet/get (RFC 8621 5.1): for each Email, its subject and a piece of its body with
// the words of the filter's text / subject / body conditions marked (mark.ts). Conditions
// under a NOT are not searched for. The filter is checked as Email/query checks it, so an
// unsupported one fails the same way here. Body text: the textBody parts (HTML turned into
// text), as the preview of Email/get, each read up to [jmap] previewScanBytes.
import { decodeHeaderValue } from "../../mime/encoded-word.js";
import { checkAccount, isObject, optStringList } from "../core/args.js";
import { invalidArgs, MethodError } from "../core/errors.js";
import type { Json, JsonObject, MethodContext } from "../core/types.js";
import { bodyLists } from "../email/body.js";
import { compileFilter } from "../email/filter.js";
import { loadEmail } from "../email/load.js";
import { partPreviewText } from "../email/object.js";
import { loadMailboxes } from "../mailbox/load.js";
import { markPreview, markText, termMatcher } from "./mark.js";

interface Terms {
  subject: string[];
  body: string[];
}

/** The strings searched for, by where (RFC 8621 4.4.1: text is subject, addresses and body). */
function termsOf(f: JsonObject, into: Terms, depth = 0): Terms {
  if (depth > 20) throw invalidArgs("filter nested too deeply");
  if (typeof f.operator === "string") {
    if (f.operator === "NOT" || !Array.isArray(f.conditions)) return into;
    for (const c of f.conditions) if (isObject(c)) termsOf(c, into, depth + 1);
    return into;
  }
  if (typeof f.text === "string") {
    into.subject.push(f.text);
    into.body.push(f.text);
  }
  if (typeof f.subject === "string") into.subject.push(f.subject);
  if (typeof f.body === "string") into.body.push(f.body);
  return into;
}

export async function searchSnippetGet(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  checkAccount(args, mc);
  const emailIds = optStringList(args, "emailIds");
  if (emailIds === null) throw invalidArgs("emailIds is required");
  if (emailIds.length > mc.services.limits.maxObjectsInGet) {
    throw new MethodError("requestTooLarge", `more than ${mc.services.limits.maxObjectsInGet} emailIds`);
  }
  const filter = args.filter;
  if (filter !== undefined && filter !== null && !isObject(filter))
    throw invalidArgs("filter must be an object");
  const boxes = await loadMailboxes(mc);
  if (isObject(filter)) compileFilter(filter, boxes, mc);
  const terms = isObject(filter) ? termsOf(filter, { subject: [], body: [] }) : { subject: [], body: [] };
  const subjectRe = termMatcher(terms.subject);
  const bodyRe = termMatcher(terms.body);
  const list: Json[] = [];
  const notFound: string[] = [];
  for (const id of emailIds) {
    const msg = await loadEmail(mc, boxes, id);
    if (!msg) {
      notFound.push(id);
      continue;
    }
    const rawSubject = msg.structure.envelope.subject;
    const subject =
      subjectRe && rawSubject !== null ? markText(decodeHeaderValue(rawSubject).trim(), subjectRe) : null;
    let preview: string | null = null;
    if (bodyRe) {
      const body = await mc.services.app.store.mail.readBody(msg.meta.blobId);
      // Each part read up to previewScanBytes only (issue 18: a huge part is not scanned whole).
      const scan = mc.services.limits.previewScanBytes;
      const text = bodyLists(msg.structure)
        .textBody.filter((r) => r.part.type === "text")
        .map((r) => partPreviewText(body, r.part, scan))
        .join(" ");
      preview = markPreview(text, bodyRe);
    }
    list.push({ emailId: id, subject, preview });
  }
  return { accountId: mc.accountId, list, notFound: notFound.length === 0 ? null : notFound };
}
