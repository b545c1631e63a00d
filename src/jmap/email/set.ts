// Email/set (RFC 8621 4.6): create (a new message built from the properties, compose.ts),
// update of keywords and mailboxIds (whole or by patch path), destroy (expunge). An Email is in
// exactly one mailbox here (maxMailboxesPerEmail = 1): changing mailboxIds moves it, keeping its
// id (the store's MOVE keeps message ids).

import { QuotaError, StoreError } from "../../store/errors.js";
import type { Mailbox, ParsedMessage } from "../../store/types.js";
import { readBlobFor } from "../blob/resolve.js";
import { isObject } from "../core/args.js";
import { type SetError, setError } from "../core/errors.js";
import { emailIdOf, threadIdOf } from "../core/ids.js";
import { emptySetResult, setArgs, setResponse, splitPatch } from "../core/set.js";
import type { Json, JsonObject, MethodContext } from "../core/types.js";
import { loadMailboxes, type MailboxSet } from "../mailbox/load.js";
import { messageBlobId } from "./body.js";
import { type Attachment, ComposeError, composeMessage } from "./compose.js";
import { flagsToKeywords, isKeyword, keywordsToFlags } from "./keywords.js";
import { loadEmail } from "./load.js";

const isMailbox = (x: Mailbox | SetError): x is Mailbox => "uidValidity" in x;

const invalid = (props: string[], description?: string): SetError =>
  setError("invalidProperties", description, { properties: props });

/** mailboxIds of a create or update: exactly one mailbox of this account. */
function oneMailbox(boxes: MailboxSet, v: Json | undefined): Mailbox | SetError {
  if (!isObject(v)) return invalid(["mailboxIds"], "mailboxIds must be an object");
  const ids = Object.entries(v).filter(([, on]) => on === true);
  if (ids.length !== 1 || Object.values(v).some((on) => on !== true)) {
    return invalid(["mailboxIds"], "an Email is in exactly one mailbox here (maxMailboxesPerEmail 1)");
  }
  const m = boxes.find(ids[0]![0]);
  return m ?? invalid(["mailboxIds"], "no such mailbox");
}

function keywordSet(v: Json | undefined): Set<string> | SetError {
  if (v === undefined || v === null) return new Set();
  if (!isObject(v)) return invalid(["keywords"], "keywords must be an object");
  const out = new Set<string>();
  for (const [k, on] of Object.entries(v)) {
    if (on !== true || !isKeyword(k)) return invalid(["keywords"], `invalid keyword ${k}`);
    out.add(k.toLowerCase());
  }
  return out;
}

const CREATE_PROPS = new Set([
  "mailboxIds",
  "keywords",
  "receivedAt",
  "messageId",
  "inReplyTo",
  "references",
  "sender",
  "from",
  "to",
  "cc",
  "bcc",
  "replyTo",
  "subject",
  "sentAt",
  "textBody",
  "htmlBody",
  "attachments",
  "bodyValues",
]);

/** The text of the one part a textBody/htmlBody list names in bodyValues. */
function bodyText(e: JsonObject, prop: "textBody" | "htmlBody"): string | null | SetError {
  const list = e[prop];
  if (list === undefined || list === null) return null;
  if (!Array.isArray(list) || list.length !== 1 || !isObject(list[0])) {
    return invalid([prop], `${prop} must hold exactly one part`);
  }
  const part = list[0];
  const values = e.bodyValues;
  const v = typeof part.partId === "string" && isObject(values) ? values[part.partId] : undefined;
  if (!isObject(v) || typeof v.value !== "string")
    return invalid([prop, "bodyValues"], "partId not in bodyValues");
  return v.value;
}

async function attachments(mc: MethodContext, e: JsonObject): Promise<Attachment[] | SetError> {
  const list = e.attachments;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) return invalid(["attachments"]);
  const out: Attachment[] = [];
  for (const a of list) {
    if (!isObject(a) || typeof a.blobId !== "string")
      return invalid(["attachments"], "each attachment needs a blobId");
    const blob = await readBlobFor(mc, a.blobId);
    if (!blob) return setError("blobNotFound", undefined, { notFound: [a.blobId] });
    const type = typeof a.type === "string" && /^[\w.+-]+\/[\w.+-]+$/.test(a.type) ? a.type : blob.type;
    out.push({
      data: blob.data,
      type,
      name: typeof a.name === "string" ? a.name : null,
      disposition: a.disposition === "inline" ? "inline" : "attachment",
      cid: typeof a.cid === "string" && /^[^<>\s]+$/.test(a.cid) ? a.cid : null,
    });
  }
  return out;
}

async function createOne(
  mc: MethodContext,
  boxes: MailboxSet,
  e: JsonObject,
): Promise<JsonObject | SetError> {
  const bad = Object.keys(e).filter((k) => !CREATE_PROPS.has(k) && !k.startsWith("header:"));
  if (bad.length > 0) return invalid(bad);
  const box = oneMailbox(boxes, e.mailboxIds);
  if (!isMailbox(box)) return box;
  const kw = keywordSet(e.keywords);
  if (!(kw instanceof Set)) return kw;
  let receivedAt = new Date();
  if (e.receivedAt !== undefined) {
    const t = typeof e.receivedAt === "string" ? Date.parse(e.receivedAt) : Number.NaN;
    if (!Number.isFinite(t)) return invalid(["receivedAt"]);
    receivedAt = new Date(t);
  }
  const text = bodyText(e, "textBody");
  const html = bodyText(e, "htmlBody");
  if (text !== null && typeof text !== "string") return text;
  if (html !== null && typeof html !== "string") return html;
  const atts = await attachments(mc, e);
  if (!Array.isArray(atts)) return atts;
  let body: Buffer;
  try {
    body = composeMessage({
      email: e,
      text,
      html,
      attachments: atts,
      hostname: mc.services.app.config.server.hostname,
      now: new Date(),
    });
  } catch (err) {
    if (err instanceof ComposeError) return invalid(err.properties, err.message);
    throw err;
  }
  const copy = await mc.services.app.store.mail.append(mc.account.id, box.id, {
    body,
    flags: keywordsToFlags(kw),
    internalDate: receivedAt,
  });
  const msg = await mc.services.app.store.mail.getMessageById(copy.messageId);
  return {
    id: emailIdOf(copy.messageId),
    blobId: messageBlobId(copy.messageId),
    threadId: threadIdOf(msg?.meta.threadId ?? copy.messageId),
    size: body.length,
  };
}

/** Applies an update patch to one email (keywords, mailboxIds). */
export async function updateOne(
  mc: MethodContext,
  boxes: MailboxSet,
  msg: ParsedMessage,
  patch: JsonObject,
): Promise<SetError | null> {
  const { whole, paths } = splitPatch(patch);
  const bad = [
    ...Object.keys(whole).filter((k) => k !== "keywords" && k !== "mailboxIds"),
    ...paths
      .filter(([p]) => p.length !== 2 || (p[0] !== "keywords" && p[0] !== "mailboxIds"))
      .map(([p]) => p.join("/")),
  ];
  if (bad.length > 0) return invalid(bad, "only keywords and mailboxIds can change");
  const m = msg.meta;
  // Keywords: the whole set, or patched one by one.
  let keywords: Set<string> | null = null;
  if (whole.keywords !== undefined) {
    const k = keywordSet(whole.keywords);
    if (!(k instanceof Set)) return k;
    keywords = k;
  }
  for (const [[root, key], v] of paths) {
    if (root !== "keywords") continue;
    if (!isKeyword(key!) || (v !== true && v !== null)) return invalid([`keywords/${key}`]);
    keywords ??= new Set(Object.keys(flagsToKeywords(m.flags)));
    if (v === true) keywords.add(key!.toLowerCase());
    else keywords.delete(key!.toLowerCase());
  }
  // Mailboxes: whole, or patched; the result must be exactly one mailbox.
  let target: Mailbox | null = null;
  const current = boxes.byId.get(m.mailboxId)!;
  if (whole.mailboxIds !== undefined || paths.some(([p]) => p[0] === "mailboxIds")) {
    const set: JsonObject =
      whole.mailboxIds !== undefined && isObject(whole.mailboxIds) ? { ...whole.mailboxIds } : {};
    if (whole.mailboxIds === undefined) set[`F${current.id}`] = true;
    for (const [[root, key], v] of paths) {
      if (root !== "mailboxIds") continue;
      const b = boxes.find(key);
      const k = b ? `F${b.id}` : key!;
      if (v === true) set[k] = true;
      else delete set[k];
    }
    const one = oneMailbox(boxes, set);
    if (!isMailbox(one)) return one;
    target = one;
  }
  const store = mc.services.app.store.mail;
  if (keywords !== null) {
    await store.setFlags(m.mailboxId, [m.uid], {
      mode: "replace",
      flags: keywordsToFlags(keywords, m.flags),
    });
  }
  if (target && target.id !== m.mailboxId) await store.move(m.mailboxId, [m.uid], target.id);
  return null;
}

export async function emailSet(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  const sa = await setArgs(args, mc, "email");
  const r = emptySetResult();
  const boxes = await loadMailboxes(mc);
  const store = mc.services.app.store.mail;
  for (const [cid, e] of sa.create) {
    try {
      const res = await createOne(mc, boxes, e);
      if ("type" in res && typeof res.type === "string" && !("id" in res))
        r.notCreated[cid] = res as SetError;
      else {
        r.created[cid] = res as JsonObject;
        mc.createdIds.set(cid, (res as JsonObject).id as string);
      }
    } catch (err) {
      r.notCreated[cid] = mapStoreError(err);
    }
  }
  for (const [id, patch] of sa.update) {
    const msg = await loadEmail(mc, boxes, id);
    if (!msg) {
      r.notUpdated[id] = setError("notFound");
      continue;
    }
    try {
      const err = await updateOne(mc, boxes, msg, patch);
      if (err) r.notUpdated[id] = err;
      else r.updated[id] = null;
    } catch (err) {
      r.notUpdated[id] = mapStoreError(err);
    }
  }
  for (const id of sa.destroy) {
    const msg = await loadEmail(mc, boxes, id);
    if (!msg) {
      r.notDestroyed[id] = setError("notFound");
      continue;
    }
    const removed = await store.expunge(msg.meta.mailboxId, [msg.meta.uid]);
    if (removed.length === 1) r.destroyed.push(id);
    else r.notDestroyed[id] = setError("notFound");
  }
  return setResponse(mc, "email", sa.oldState, r);
}

export function mapStoreError(e: unknown): SetError {
  if (e instanceof QuotaError) return setError("overQuota", e.message);
  if (e instanceof StoreError && e.code === "invalid") return setError("invalidProperties", e.message);
  if (e instanceof StoreError && e.code === "not-found") return setError("notFound", e.message);
  throw e;
}
