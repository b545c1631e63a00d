// SieveScript/set (RFC 9661 2.4, RFC 8620 5.3): create (a name, or one we make up, and the
// blobId of uploaded content), update (rename, new content), destroy (never the active script:
// sieveIsActive), then, only when every one of those succeeded, onSuccessDeactivateScript and
// onSuccessActivateScript, in that order. isActive is server-set: it changes only through those
// two arguments, and every script whose isActive changed is reported in created or updated.
// Content is checked before anything is stored: UTF-8, maxSizeScript (tooLarge), and a script
// our interpreter compiles (invalidSieve, with line and column).
import { StoreError } from "../../store/errors.js";
import type { SieveScriptRecord } from "../../store/types.js";
import { optBool, resolveId } from "../core/args.js";
import { invalidArgs, type SetError, setError } from "../core/errors.js";
import { emptySetResult, setArgs, setResponse } from "../core/set.js";
import type { JsonObject, MethodContext } from "../core/types.js";
import { checkScript, scriptText } from "./content.js";
import {
  MAX_SIZE_SCRIPT_NAME,
  parseSieveScriptId,
  sieveBlobIdOf,
  sieveScriptIdOf,
  sieveStoreLimits,
} from "./object.js";

const invalid = (props: string[], description?: string): SetError =>
  setError("invalidProperties", description, { properties: props });

/** A checked name: a string of at most maxSizeScriptName octets (the store checks the rest). */
function nameOf(v: unknown): string | SetError {
  if (typeof v !== "string") return invalid(["name"], "name must be a string");
  if (Buffer.byteLength(v, "utf8") > MAX_SIZE_SCRIPT_NAME)
    return invalid(["name"], `a name may have at most ${MAX_SIZE_SCRIPT_NAME} octets (maxSizeScriptName)`);
  return v;
}

/** The script text of blobId, checked: the text, or the SetError to answer. */
async function checkedText(mc: MethodContext, blobId: unknown): Promise<string | SetError> {
  if (typeof blobId !== "string") return invalid(["blobId"], "blobId must be an Id");
  const r = await scriptText(mc, blobId);
  if (!r.ok) return r.error;
  return checkScript(mc, r.text) ?? r.text;
}

/** A StoreError from a script write as the SetError RFC 9661 2.4 names. */
function storeSetError(e: unknown, existingId?: () => Promise<string | null>): Promise<SetError> | SetError {
  if (!(e instanceof StoreError)) throw e;
  switch (e.code) {
    case "invalid":
      return invalid(["name"], e.message);
    case "quota":
      return setError("overQuota", e.message);
    case "exists":
      return (async () =>
        setError("alreadyExists", e.message, { existingId: (await existingId?.()) ?? null }))();
    case "not-found":
      return setError("notFound", e.message);
    case "readonly":
      return setError("sieveIsActive", e.message);
    default:
      throw e;
  }
}

/** A name no script of the account has: "script-1", "script-2"... (RFC 9661 2.1: the server
 *  names a script created without one). */
function freshName(taken: ReadonlySet<string>): string {
  for (let i = 1; ; i++) if (!taken.has(`script-${i}`)) return `script-${i}`;
}

export async function sieveScriptSet(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  const sa = await setArgs(args, mc, "sieveScript");
  const activateArg = args.onSuccessActivateScript;
  if (activateArg !== undefined && activateArg !== null && typeof activateArg !== "string")
    throw invalidArgs("onSuccessActivateScript must be an Id");
  const deactivate = optBool(args, "onSuccessDeactivateScript", false);
  const store = mc.services.app.store.sieve;
  const acc = mc.account.id;
  const cfg = mc.services.app.config.sieve;
  const limits = sieveStoreLimits(cfg);
  const r = emptySetResult();
  const idOfName = async (name: string) => {
    const s = await store.get(acc, name);
    return s ? sieveScriptIdOf(s.id) : null;
  };
  const activeBefore = (await store.active(acc))?.id ?? null;
  /** Creation id of each script created here, to report its activation in `created`. */
  const createdBy = new Map<number, string>();

  for (const [cid, o] of sa.create) {
    const bad = Object.keys(o).filter(
      (k) => !(k === "name" || k === "blobId" || (k === "isActive" && o.isActive === false)),
    );
    if (bad.length > 0) {
      r.notCreated[cid] = invalid(bad, "isActive changes only through onSuccessActivateScript");
      continue;
    }
    const given = o.name === undefined || o.name === null ? null : nameOf(o.name);
    if (given !== null && typeof given !== "string") {
      r.notCreated[cid] = given;
      continue;
    }
    if (o.blobId === undefined) {
      r.notCreated[cid] = invalid(["blobId"], "blobId is required");
      continue;
    }
    const text = await checkedText(mc, o.blobId);
    if (typeof text !== "string") {
      r.notCreated[cid] = text;
      continue;
    }
    const existing = await store.list(acc);
    const name = given ?? freshName(new Set(existing.map((s) => s.name)));
    const clash = existing.find((s) => s.name === name);
    if (clash) {
      r.notCreated[cid] = setError("alreadyExists", `a script named ${JSON.stringify(name)} exists`, {
        existingId: sieveScriptIdOf(clash.id),
      });
      continue;
    }
    if (existing.length >= cfg.maxScripts) {
      r.notCreated[cid] = setError("overQuota", `an account may keep at most ${cfg.maxScripts} scripts`);
      continue;
    }
    let s: SieveScriptRecord;
    try {
      // createOnly: a script of that name made meanwhile (another session) is not replaced.
      s = await store.put(acc, name, text, limits, { createOnly: true });
    } catch (e) {
      r.notCreated[cid] = await storeSetError(e, () => idOfName(name));
      continue;
    }
    const id = sieveScriptIdOf(s.id);
    mc.createdIds.set(cid, id);
    createdBy.set(s.id, cid);
    // RFC 8620 5.3: the id and what the server set or changed (a made-up name, isActive).
    r.created[cid] = {
      id,
      ...(given === null ? { name } : {}),
      blobId: sieveBlobIdOf(text),
      isActive: false,
    };
  }

  for (const [id, patch] of sa.update) {
    const n = parseSieveScriptId(resolveId(mc, id));
    const cur = n === null ? null : await store.getById(acc, n);
    if (!cur) {
      r.notUpdated[id] = setError("notFound");
      continue;
    }
    const bad = Object.entries(patch)
      .filter(
        ([k, v]) =>
          !(
            k === "name" ||
            k === "blobId" ||
            (k === "id" && v === sieveScriptIdOf(cur.id)) ||
            (k === "isActive" && v === cur.active)
          ),
      )
      .map(([k]) => k);
    if (bad.length > 0) {
      r.notUpdated[id] = invalid(bad, "id is immutable; isActive changes only through onSuccess*Script");
      continue;
    }
    const newName = patch.name === undefined ? cur.name : nameOf(patch.name);
    if (typeof newName !== "string") {
      r.notUpdated[id] = newName;
      continue;
    }
    const text = patch.blobId === undefined ? null : await checkedText(mc, patch.blobId);
    if (text !== null && typeof text !== "string") {
      r.notUpdated[id] = text;
      continue;
    }
    try {
      if (newName !== cur.name) await store.rename(acc, cur.name, newName);
      if (text !== null && text !== cur.content) await store.put(acc, newName, text, limits);
      r.updated[id] = null;
    } catch (e) {
      r.notUpdated[id] = await storeSetError(e, () => idOfName(newName));
    }
  }

  for (const id of sa.destroy) {
    const n = parseSieveScriptId(resolveId(mc, id));
    const cur = n === null ? null : await store.getById(acc, n);
    if (!cur) {
      r.notDestroyed[id] = setError("notFound");
      continue;
    }
    // RFC 9661 2.4: the active script is destroyed only after a separate call deactivated it.
    if (cur.active) {
      r.notDestroyed[id] = setError(
        "sieveIsActive",
        "the active script cannot be destroyed; deactivate it first",
      );
      continue;
    }
    try {
      await store.remove(acc, cur.name);
      r.destroyed.push(id);
    } catch (e) {
      r.notDestroyed[id] = await storeSetError(e);
    }
  }

  const failed =
    Object.keys(r.notCreated).length + Object.keys(r.notUpdated).length + Object.keys(r.notDestroyed).length >
    0;
  if (!failed) {
    if (deactivate) await store.setActive(acc, null);
    // An id that is invalid or names no script is ignored (RFC 9661 2.4).
    const n = typeof activateArg === "string" ? parseSieveScriptId(resolveId(mc, activateArg)) : null;
    const target = n === null ? null : await store.getById(acc, n);
    if (target) await store.setActive(acc, target.name);
  }

  const activeAfter = (await store.active(acc))?.id ?? null;
  if (activeBefore !== activeAfter) {
    const report = (scriptId: number, isActive: boolean) => {
      const cid = createdBy.get(scriptId);
      const created = cid === undefined ? undefined : r.created[cid];
      if (created) created.isActive = isActive;
      else {
        const key = sieveScriptIdOf(scriptId);
        r.updated[key] = { ...(r.updated[key] ?? {}), isActive };
      }
    };
    if (activeBefore !== null) report(activeBefore, false);
    if (activeAfter !== null) report(activeAfter, true);
  }
  return setResponse(mc, "sieveScript", sa.oldState, r);
}
