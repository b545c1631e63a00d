// SpamSettings/get (urn:yubin:params:jmap:spam): the standard /get (RFC 8620 5.1) over the one
// object "singleton", like VacationResponse/get (RFC 8621 8.1).
import { getArgs } from "../core/standard.js";
import type { JsonObject, MethodContext } from "../core/types.js";
import { SINGLETON, SPAM_SETTINGS_PROPERTIES, spamSettingsJson, spamSettingsState } from "./object.js";

export async function spamSettingsGet(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  const { ids, properties } = getArgs(args, mc, {
    defaults: SPAM_SETTINGS_PROPERTIES,
    known: (p) => SPAM_SETTINGS_PROPERTIES.includes(p),
  });
  const prefs = await mc.services.app.store.spam.getSpamPrefs(mc.account.id);
  const full = spamSettingsJson(prefs);
  const wanted = ids === null || ids.includes(SINGLETON);
  const list = wanted ? [Object.fromEntries(properties.map((p) => [p, full[p] ?? null]))] : [];
  const notFound = (ids ?? []).filter((id) => id !== SINGLETON);
  return { accountId: mc.accountId, state: spamSettingsState(prefs), list, notFound: [...new Set(notFound)] };
}
