// SpamSettings/set (urn:yubin:params:jmap:spam): a standard /set (RFC 8620 5.3) where the only
// object is "singleton", as VacationResponse/set (RFC 8621 8.2): create and destroy are refused
// with the SetError "singleton"; update replaces whole properties (allow, block, junkScore,
// fileIntoJunk). Stored through SpamStore.setSpamPrefs, which normalises the entries (lower
// case, duplicates dropped) and refuses one that is neither an address nor "@domain"; the filter
// reads them for the next message.
import { StoreError } from "../../store/errors.js";
import type { SpamPrefs } from "../../store/types.js";
import { type SetError, setError } from "../core/errors.js";
import { emptySetResult, setArgsAt } from "../core/set.js";
import type { JsonObject, MethodContext } from "../core/types.js";
import { parseSpamPatch, SINGLETON, spamSettingsState } from "./object.js";

/** The store refused a list entry: the list named in its message, else every list patched. */
function refusedEntry(e: StoreError, prefs: Partial<SpamPrefs>): SetError {
  const lists = (["allow", "block"] as const).filter((k) => prefs[k] !== undefined);
  const named = lists.filter((k) => e.message.includes(`${k} list`));
  return setError("invalidProperties", e.message, { properties: named.length > 0 ? named : lists });
}

export async function spamSettingsSet(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  const spam = mc.services.app.store.spam;
  const oldState = spamSettingsState(await spam.getSpamPrefs(mc.account.id));
  const sa = setArgsAt(args, mc, oldState);
  const r = emptySetResult();
  for (const [cid] of sa.create) r.notCreated[cid] = setError("singleton", "there is only one SpamSettings");
  for (const [id, patch] of sa.update) {
    if (id !== SINGLETON) {
      r.notUpdated[id] = setError("notFound");
      continue;
    }
    const parsed = parseSpamPatch(patch);
    if ("bad" in parsed) {
      r.notUpdated[id] = setError("invalidProperties", undefined, { properties: parsed.bad });
      continue;
    }
    try {
      await spam.setSpamPrefs(mc.account.id, parsed.prefs);
      r.updated[id] = null;
    } catch (e) {
      if (!(e instanceof StoreError) || e.code !== "invalid") throw e;
      r.notUpdated[id] = refusedEntry(e, parsed.prefs);
    }
  }
  for (const id of sa.destroy) {
    r.notDestroyed[id] =
      id === SINGLETON ? setError("singleton", "the SpamSettings cannot be destroyed") : setError("notFound");
  }
  const newState = spamSettingsState(await spam.getSpamPrefs(mc.account.id));
  const orNull = <T>(o: Record<string, T>) => (Object.keys(o).length === 0 ? null : o);
  return {
    accountId: mc.accountId,
    oldState,
    newState,
    created: null,
    updated: orNull(r.updated) as JsonObject | null,
    destroyed: null,
    notCreated: orNull(r.notCreated) as JsonObject | null,
    notUpdated: orNull(r.notUpdated) as JsonObject | null,
    notDestroyed: orNull(r.notDestroyed) as JsonObject | null,
  };
}
