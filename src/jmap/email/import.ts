// Email/import (RFC 8621 4.8): store an uploaded (or existing) blob as a message in one mailbox.

import { readBlobFor } from "../blob/resolve.js";
import { checkAccount, isObject, optString } from "../core/args.js";
import { invalidArgs, MethodError, type SetError, setError } from "../core/errors.js";
import { emailIdOf, threadIdOf } from "../core/ids.js";
import { currentState } from "../core/state.js";
import type { JsonObject, MethodContext } from "../core/types.js";
import { loadMailboxes } from "../mailbox/load.js";
import { messageBlobId } from "./body.js";
import { isKeyword, keywordsToFlags } from "./keywords.js";
import { mapStoreError } from "./set.js";

export async function emailImport(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  checkAccount(args, mc);
  const oldState = await currentState(mc, "email");
  const ifInState = optString(args, "ifInState");
  if (ifInState !== null && ifInState !== oldState) throw new MethodError("stateMismatch");
  const emails = args.emails;
  if (!isObject(emails)) throw invalidArgs("emails must be an object");
  if (Object.keys(emails).length > mc.services.limits.maxObjectsInSet)
    throw new MethodError("requestTooLarge");
  const boxes = await loadMailboxes(mc);
  const created: JsonObject = {};
  const notCreated: Record<string, SetError> = {};
  for (const [cid, e] of Object.entries(emails)) {
    if (!isObject(e) || typeof e.blobId !== "string" || !isObject(e.mailboxIds)) {
      notCreated[cid] = setError("invalidProperties", "blobId and mailboxIds are required", {
        properties: ["blobId", "mailboxIds"],
      });
      continue;
    }
    const ids = Object.keys(e.mailboxIds).filter((k) => (e.mailboxIds as JsonObject)[k] === true);
    const box = ids.length === 1 ? boxes.find(ids[0]) : null;
    if (!box) {
      notCreated[cid] = setError("invalidProperties", "exactly one existing mailbox", {
        properties: ["mailboxIds"],
      });
      continue;
    }
    const kws = isObject(e.keywords) ? Object.keys(e.keywords) : [];
    if (kws.some((k) => !isKeyword(k))) {
      notCreated[cid] = setError("invalidProperties", undefined, { properties: ["keywords"] });
      continue;
    }
    const when = typeof e.receivedAt === "string" ? new Date(Date.parse(e.receivedAt)) : new Date();
    if (!Number.isFinite(when.getTime())) {
      notCreated[cid] = setError("invalidProperties", undefined, { properties: ["receivedAt"] });
      continue;
    }
    const blob = await readBlobFor(mc, e.blobId);
    if (!blob) {
      notCreated[cid] = setError("blobNotFound", undefined, { notFound: [e.blobId] });
      continue;
    }
    try {
      const copy = await mc.services.app.store.mail.append(mc.account.id, box.id, {
        body: blob.data,
        flags: keywordsToFlags(kws.map((k) => k.toLowerCase())),
        internalDate: when,
      });
      const msg = await mc.services.app.store.mail.getMessageById(copy.messageId);
      const id = emailIdOf(copy.messageId);
      mc.createdIds.set(cid, id);
      created[cid] = {
        id,
        blobId: messageBlobId(copy.messageId),
        threadId: threadIdOf(msg?.meta.threadId ?? copy.messageId),
        size: blob.data.length,
      };
    } catch (err) {
      notCreated[cid] = mapStoreError(err);
    }
  }
  const orNull = (o: object) => (Object.keys(o).length === 0 ? null : o);
  return {
    accountId: mc.accountId,
    oldState,
    newState: await currentState(mc, "email"),
    created: orNull(created) as JsonObject | null,
    notCreated: orNull(notCreated) as JsonObject | null,
  };
}
