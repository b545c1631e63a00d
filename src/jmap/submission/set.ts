// EmailSubmission/set (RFC 8621 7.5): create sends an Email of this account now, through the
// submission rules of submit.ts, and keeps the record (log.ts) for EmailSubmission/get;
// destroy forgets a record (the message is sent either way); update can only ask for
// undoStatus "canceled", which is refused with cannotUnsend since every submission is final at
// once (maxDelayedSend 0). Then onSuccessUpdateEmail / onSuccessDestroyEmail run as an implicit
// Email/set whose response follows this one.
import { QuotaError } from "../../store/errors.js";
import { checkAccount, isObject, optString, optStringList, resolveId } from "../core/args.js";
import { invalidArgs, MethodError, type SetError, setError } from "../core/errors.js";
import { emailIdOf, identityIdOf, parseIdentityId, threadIdOf } from "../core/ids.js";
import { emptySetResult } from "../core/set.js";
import type { Json, JsonObject, MethodContext } from "../core/types.js";
import { loadEmail } from "../email/load.js";
import { utcDate } from "../email/object.js";
import { emailSet } from "../email/set.js";
import { loadMailboxes, type MailboxSet } from "../mailbox/load.js";
import { type Envelope, envelopeFrom, SubmitError, submit } from "./submit.js";

const CREATE_PROPS = new Set(["identityId", "emailId", "envelope"]);

function envelopeOf(v: unknown): Envelope | null | SetError {
  if (v === undefined || v === null) return null;
  const bad = setError("invalidProperties", "bad envelope", { properties: ["envelope"] });
  if (
    !isObject(v) ||
    !isObject(v.mailFrom) ||
    typeof v.mailFrom.email !== "string" ||
    !Array.isArray(v.rcptTo)
  ) {
    return bad;
  }
  const rcpt: string[] = [];
  for (const r of v.rcptTo) {
    if (!isObject(r) || typeof r.email !== "string") return bad;
    rcpt.push(r.email);
  }
  return { mailFrom: v.mailFrom.email, rcptTo: rcpt };
}

const envelopeJson = (e: Envelope): JsonObject => ({
  mailFrom: { email: e.mailFrom, parameters: null },
  rcptTo: e.rcptTo.map((email) => ({ email, parameters: null })),
});

/** One create: the EmailSubmission object without its id, or a SetError. */
async function createOne(
  mc: MethodContext,
  boxes: MailboxSet,
  o: JsonObject,
): Promise<JsonObject | SetError> {
  const extra = Object.keys(o).filter((k) => !CREATE_PROPS.has(k));
  if (extra.length > 0) return setError("invalidProperties", "not settable", { properties: extra });
  // RFC 8620 5.3: "#creationId" names an Identity created earlier in the request.
  const identityId = parseIdentityId(resolveId(mc, o.identityId));
  const ident = (await mc.services.app.store.settings.listIdentities(mc.account.id)).find(
    (i) => i.id === identityId,
  );
  if (!ident) return setError("invalidProperties", "unknown identityId", { properties: ["identityId"] });
  const msg = typeof o.emailId === "string" ? await loadEmail(mc, boxes, o.emailId) : null;
  if (!msg) return setError("invalidProperties", "unknown emailId", { properties: ["emailId"] });
  const body = await mc.services.app.store.mail.readBody(msg.meta.blobId);
  const given = envelopeOf(o.envelope);
  if (given !== null && "type" in given) return given;
  const env: Envelope = given ?? envelopeFrom(body, ident.email);
  let delivered: Map<string, string>;
  try {
    delivered = (await submit(mc.services, mc.account, body, env)).delivered;
  } catch (e) {
    if (e instanceof SubmitError) return setError(e.type, e.message, e.extra);
    if (e instanceof QuotaError) return setError("overQuota", e.message);
    throw e;
  }
  const deliveryStatus: JsonObject = {};
  for (const [rcpt, d] of delivered) {
    deliveryStatus[rcpt] = {
      smtpReply: d === "yes" ? "250 2.0.0 delivered" : "250 2.0.0 queued",
      delivered: d,
      displayed: "unknown",
    };
  }
  return {
    identityId: identityIdOf(ident.id),
    emailId: emailIdOf(msg.meta.id),
    threadId: threadIdOf(msg.meta.threadId),
    envelope: envelopeJson(env),
    sendAt: utcDate(new Date()),
    undoStatus: "final",
    deliveryStatus,
    dsnBlobIds: [],
    mdnBlobIds: [],
  };
}

export async function submissionSet(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  checkAccount(args, mc);
  const log = mc.services.submissions;
  const oldState = log.state(mc.account.id);
  const ifInState = optString(args, "ifInState");
  if (ifInState !== null && ifInState !== oldState) throw new MethodError("stateMismatch");
  for (const k of ["create", "update", "onSuccessUpdateEmail"]) {
    if (args[k] !== undefined && args[k] !== null && !isObject(args[k]))
      throw invalidArgs(`${k} must be an object`);
  }
  optStringList(args, "onSuccessDestroyEmail");
  const create = isObject(args.create) ? Object.entries(args.create) : [];
  const update = isObject(args.update) ? Object.entries(args.update) : [];
  const destroy = optStringList(args, "destroy") ?? [];
  if (create.length + update.length + destroy.length > mc.services.limits.maxObjectsInSet) {
    throw new MethodError("requestTooLarge", `more than ${mc.services.limits.maxObjectsInSet} objects`);
  }
  const r = emptySetResult();
  const boxes = await loadMailboxes(mc);
  const emailOf = new Map<string, string>(); // "#creationId" or submission id → email id
  for (const [cid, o] of create) {
    if (!isObject(o)) {
      r.notCreated[cid] = setError("invalidProperties", "not an object");
      continue;
    }
    const res = await createOne(mc, boxes, o);
    if ("type" in res) {
      r.notCreated[cid] = res as SetError;
      continue;
    }
    const rec = log.add(mc.account.id, res as JsonObject);
    mc.createdIds.set(cid, rec.id);
    emailOf.set(`#${cid}`, rec.object.emailId as string);
    const { identityId: _i, emailId: _e, ...serverSet } = rec.object;
    r.created[cid] = { id: rec.id, ...serverSet };
  }
  for (const [id, patch] of update) {
    const rec = log.get(mc.account.id, id);
    if (!rec) r.notUpdated[id] = setError("notFound");
    else if (!isObject(patch) || Object.keys(patch).some((k) => k !== "undoStatus")) {
      r.notUpdated[id] = setError("invalidProperties", "only undoStatus can change", {
        properties: ["undoStatus"],
      });
    } else if (patch.undoStatus === "final") r.updated[id] = null;
    else r.notUpdated[id] = setError("cannotUnsend", "the message has already been sent");
  }
  for (const id of destroy) {
    const rec = log.get(mc.account.id, id);
    if (rec && log.destroy(mc.account.id, id)) {
      r.destroyed.push(id);
      emailOf.set(id, rec.object.emailId as string);
    } else r.notDestroyed[id] = setError("notFound");
  }
  const orNull = (o: Record<string, unknown>) => (Object.keys(o).length === 0 ? null : (o as JsonObject));
  const response: JsonObject = {
    accountId: mc.accountId,
    oldState,
    newState: log.state(mc.account.id),
    created: orNull(r.created),
    updated: orNull(r.updated),
    destroyed: r.destroyed.length === 0 ? null : r.destroyed,
    notCreated: orNull(r.notCreated),
    notUpdated: orNull(r.notUpdated),
    notDestroyed: orNull(r.notDestroyed),
  };
  await onSuccess(args, mc, emailOf, [
    ...Object.keys(r.created).map((c) => `#${c}`),
    ...Object.keys(r.updated),
    ...r.destroyed,
  ]);
  return response;
}

/** RFC 8621 7.5 onSuccessUpdateEmail / onSuccessDestroyEmail for the submissions that succeeded
 *  (named by "#creationId" or id), as an implicit Email/set after this response. */
async function onSuccess(
  args: JsonObject,
  mc: MethodContext,
  emailOf: Map<string, string>,
  succeeded: string[],
): Promise<void> {
  const ok = new Set(succeeded);
  const emailFor = (ref: string) => {
    if (!ok.has(ref)) return undefined;
    return (
      emailOf.get(ref) ??
      (mc.services.submissions.get(mc.account.id, ref)?.object.emailId as string | undefined)
    );
  };
  const update: JsonObject = {};
  const destroy: Json[] = [];
  const onUpdate = args.onSuccessUpdateEmail;
  if (isObject(onUpdate)) {
    for (const [ref, patch] of Object.entries(onUpdate)) {
      const emailId = emailFor(ref);
      if (emailId && isObject(patch)) update[emailId] = patch;
    }
  }
  for (const ref of optStringList(args, "onSuccessDestroyEmail") ?? []) {
    const emailId = emailFor(ref);
    if (emailId) destroy.push(emailId);
  }
  if (Object.keys(update).length > 0 || destroy.length > 0) {
    const implicit = await emailSet({ accountId: mc.accountId, update, destroy }, mc);
    mc.extraResponses.push(["Email/set", implicit, mc.callId]);
  }
}
