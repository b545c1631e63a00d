// Email/get (RFC 8621 4.2): properties, bodyProperties, fetch*BodyValues, maxBodyValueBytes.
// ids null is refused (RFC 8620 5.1 lets a server require ids when there may be many).
import { optBool, optStringList, optUint } from "../core/args.js";
import { invalidArgs, MethodError } from "../core/errors.js";
import { getArgs } from "../core/standard.js";
import { currentState } from "../core/state.js";
import type { Json, JsonObject, MethodContext } from "../core/types.js";
import { loadMailboxes } from "../mailbox/load.js";
import { DEFAULT_BODY_PROPERTIES, messageBlobId } from "./body.js";
import { parseHeaderProperty } from "./headers.js";
import { loadEmail } from "./load.js";
import {
  type BodyValueOptions,
  DEFAULT_EMAIL_PROPERTIES,
  emailObject,
  KNOWN_PROPERTIES,
  needsBody,
} from "./object.js";

const BODY_PART_PROPS = new Set([...DEFAULT_BODY_PROPERTIES, "headers", "subParts"]);

/** bodyProperties and the body value options shared by Email/get and Email/parse (RFC 8621 4.2). */
export function bodyArgs(args: JsonObject, mc: MethodContext): { bodyProps: string[]; bv: BodyValueOptions } {
  const bodyProps = optStringList(args, "bodyProperties") ?? DEFAULT_BODY_PROPERTIES;
  const badBody = bodyProps.filter((p) => !BODY_PART_PROPS.has(p) && parseHeaderProperty(p) === null);
  if (badBody.length > 0) throw invalidArgs(`unknown bodyProperties: ${badBody.join(", ")}`);
  const max = optUint(args, "maxBodyValueBytes");
  if (max === 0) throw invalidArgs("maxBodyValueBytes must be positive");
  const bv = {
    fetchText: optBool(args, "fetchTextBodyValues", false),
    fetchHtml: optBool(args, "fetchHTMLBodyValues", false),
    fetchAll: optBool(args, "fetchAllBodyValues", false),
    maxBytes: Math.min(max ?? mc.services.limits.maxBodyValueBytes, mc.services.limits.maxBodyValueBytes),
    previewScanBytes: mc.services.limits.previewScanBytes,
  };
  return { bodyProps, bv };
}

export async function emailGet(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  const { ids, properties } = getArgs(args, mc, {
    defaults: DEFAULT_EMAIL_PROPERTIES,
    known: (p) => KNOWN_PROPERTIES.has(p) || parseHeaderProperty(p) !== null,
  });
  if (ids === null) throw new MethodError("requestTooLarge", "Email/get needs ids");
  const { bodyProps, bv } = bodyArgs(args, mc);
  const state = await currentState(mc, "email");
  const boxes = await loadMailboxes(mc);
  const withBody = needsBody(properties);
  const list: Json[] = [];
  const notFound: string[] = [];
  for (const id of ids) {
    const msg = await loadEmail(mc, boxes, id);
    if (!msg) {
      notFound.push(id);
      continue;
    }
    const body = withBody ? await mc.services.app.store.mail.readBody(msg.meta.blobId) : null;
    const src = {
      meta: msg.meta,
      blobId: messageBlobId(msg.meta.id),
      size: msg.meta.size,
      structure: msg.structure,
      body,
    };
    list.push(emailObject(src, properties, bodyProps, bv));
  }
  return { accountId: mc.accountId, state, list, notFound };
}
