// Email/parse (RFC 8621 4.9): blobs (uploads, stored messages, attached message/rfc822 parts)
// parsed as Emails without storing them. The metadata properties (id, mailboxIds, keywords,
// receivedAt, threadId) are null; blobId is the given one, and the parts' blobIds derive from it
// (body.ts partBlobId), so they can be downloaded or parsed in turn. A blob is notParsable when
// the parser fails or it has no header field at all (it is not a message).
import { parseStructure } from "../../mime/parse.js";
import type { MessageStructure } from "../../mime/types.js";
import { readBlobFor } from "../blob/resolve.js";
import { checkAccount, optStringList } from "../core/args.js";
import { invalidArgs, MethodError } from "../core/errors.js";
import type { Json, JsonObject, MethodContext } from "../core/types.js";
import { bodyArgs } from "./get.js";
import { headerView, parseHeaderProperty } from "./headers.js";
import { DEFAULT_EMAIL_PROPERTIES, emailObject, KNOWN_PROPERTIES, META_PROPERTIES } from "./object.js";

/** RFC 8621 4.9: Email/get's defaults without what only a stored message has. */
export const DEFAULT_PARSE_PROPERTIES = DEFAULT_EMAIL_PROPERTIES.filter((p) => !META_PROPERTIES.has(p));

export async function emailParse(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  checkAccount(args, mc);
  const blobIds = optStringList(args, "blobIds");
  if (blobIds === null) throw invalidArgs("blobIds is required");
  if (blobIds.length > mc.services.limits.maxObjectsInGet) {
    throw new MethodError("requestTooLarge", `more than ${mc.services.limits.maxObjectsInGet} blobIds`);
  }
  const properties = optStringList(args, "properties") ?? DEFAULT_PARSE_PROPERTIES;
  const unknown = properties.filter((p) => !KNOWN_PROPERTIES.has(p) && parseHeaderProperty(p) === null);
  if (unknown.length > 0) throw invalidArgs(`unknown properties: ${unknown.join(", ")}`);
  const { bodyProps, bv } = bodyArgs(args, mc);
  const parsed: JsonObject = {};
  const notParsable: string[] = [];
  const notFound: string[] = [];
  for (const blobId of blobIds) {
    const blob = await readBlobFor(mc, blobId);
    if (!blob) {
      notFound.push(blobId);
      continue;
    }
    let structure: MessageStructure;
    try {
      structure = blob.structure ?? parseStructure(blob.data);
    } catch {
      notParsable.push(blobId);
      continue;
    }
    if (headerView(blob.data, structure.root).fields.length === 0) {
      notParsable.push(blobId);
      continue;
    }
    const src = { meta: null, blobId, size: blob.data.length, structure, body: blob.data };
    parsed[blobId] = emailObject(src, properties, bodyProps, bv);
  }
  const orNull = (l: Json[]) => (l.length === 0 ? null : l);
  return {
    accountId: mc.accountId,
    parsed: Object.keys(parsed).length === 0 ? null : parsed,
    notParsable: orNull(notParsable),
    notFound: orNull(notFound),
  };
}
