// Identity/set (RFC 8621 6.3): create an identity for an address the account may send as
// (src/delivery/send-as.ts; otherwise the SetError forbiddenFrom), update its name, replyTo,
// bcc and signatures (email is immutable), destroy any but the primary one (mayDelete false:
// forbidden). Sending still checks the envelope and header From (submission/submit.ts), so an
// identity left over after a send-as grant is revoked cannot be used to send.

import { canSendAs } from "../../delivery/send-as.js";
import { StoreError } from "../../store/errors.js";
import type { IdentityFields } from "../../store/types.js";
import { type SetError, setError } from "../core/errors.js";
import { identityIdOf, parseIdentityId } from "../core/ids.js";
import { emptySetResult, setArgs, setResponse } from "../core/set.js";
import type { JsonObject, MethodContext } from "../core/types.js";
import { addressList, identityJson } from "./object.js";

const SETTABLE = new Set(["name", "replyTo", "bcc", "textSignature", "htmlSignature"]);
const SERVER_SET = new Set(["id", "mayDelete"]);

const invalid = (props: string[], description?: string): SetError =>
  setError("invalidProperties", description, { properties: props });

/** The settable fields present in `o`, checked; `current` for an update (email immutable). */
function fields(
  o: JsonObject,
  maxBytes: number,
  current: JsonObject | null,
): Partial<IdentityFields> | SetError {
  const out: Partial<IdentityFields> = {};
  const bad: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (k === "email") {
      if (current ? v !== current.email : typeof v !== "string") bad.push(k);
      else if (!current) out.email = v as string;
    } else if (SERVER_SET.has(k)) {
      // RFC 8620 5.3: a server-set property may be sent only with its current value.
      if (!current || v !== current[k]) bad.push(k);
    } else if (!SETTABLE.has(k)) bad.push(k);
    else if (k === "replyTo" || k === "bcc") {
      const l = addressList(v);
      if (l === undefined) bad.push(k);
      else out[k] = l;
    } else if (typeof v !== "string" || Buffer.byteLength(v) > maxBytes) bad.push(k);
    else out[k as "name" | "textSignature" | "htmlSignature"] = v;
  }
  return bad.length > 0 ? invalid(bad) : out;
}

export async function identitySet(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  const sa = await setArgs(args, mc, "identity");
  const settings = mc.services.app.store.settings;
  const dir = mc.services.app.store.directory;
  const max = mc.services.limits.maxSettingTextBytes;
  const r = emptySetResult();

  for (const [cid, o] of sa.create) {
    const f = fields(o, max, null);
    if ("type" in f) {
      r.notCreated[cid] = f as SetError;
      continue;
    }
    if (f.email === undefined) {
      r.notCreated[cid] = invalid(["email"], "email is required");
      continue;
    }
    if (!(await canSendAs(dir, mc.account, f.email))) {
      r.notCreated[cid] = setError("forbiddenFrom", `not allowed to send as ${f.email}`);
      continue;
    }
    try {
      const i = await settings.createIdentity(mc.account.id, {
        email: f.email,
        name: f.name ?? "",
        replyTo: f.replyTo ?? null,
        bcc: f.bcc ?? null,
        textSignature: f.textSignature ?? "",
        htmlSignature: f.htmlSignature ?? "",
      });
      mc.createdIds.set(cid, identityIdOf(i.id));
      // RFC 8620 5.3: the id and every value the client did not give (server-set or default).
      const json = identityJson(i);
      r.created[cid] = Object.fromEntries(Object.entries(json).filter(([k]) => !(k in o) || k === "id"));
    } catch (e) {
      if (e instanceof StoreError && e.code === "invalid") r.notCreated[cid] = invalid(["email"], e.message);
      else throw e;
    }
  }

  const current = await settings.listIdentities(mc.account.id);
  const find = (id: string) => {
    const n = parseIdentityId(id);
    return n === null ? undefined : current.find((i) => i.id === n);
  };
  for (const [id, patch] of sa.update) {
    const i = find(id);
    if (!i) {
      r.notUpdated[id] = setError("notFound");
      continue;
    }
    const f = fields(patch, max, identityJson(i));
    if ("type" in f) {
      r.notUpdated[id] = f as SetError;
      continue;
    }
    const { email: _e, ...changes } = f;
    await settings.updateIdentity(mc.account.id, i.id, changes);
    r.updated[id] = null;
  }

  for (const id of sa.destroy) {
    const i = find(id);
    if (!i) r.notDestroyed[id] = setError("notFound");
    else if (i.primary)
      r.notDestroyed[id] = setError("forbidden", "the account's own identity cannot be deleted");
    else {
      try {
        await settings.removeIdentity(mc.account.id, i.id);
        r.destroyed.push(id);
      } catch (e) {
        if (e instanceof StoreError && e.code === "not-found") r.notDestroyed[id] = setError("notFound");
        else throw e;
      }
    }
  }
  return setResponse(mc, "identity", sa.oldState, r);
}
