// AppPassword/get (urn:yubin:params:jmap:apppasswords): the standard /get (RFC 8620 5.1) over
// the account's app passwords; ids null gives them all (there are at most auth.appPasswordsMax).
import { getArgs } from "../core/standard.js";
import type { JsonObject, MethodContext } from "../core/types.js";
import { APP_PASSWORD_PROPERTIES, appPasswordJson, appPasswordsState } from "./object.js";

export async function appPasswordGet(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  const { ids, properties } = getArgs(args, mc, {
    defaults: APP_PASSWORD_PROPERTIES,
    known: (p) => APP_PASSWORD_PROPERTIES.includes(p),
  });
  const all = await mc.services.app.store.appPasswords.list(mc.account.id);
  const byId = new Map(all.map((p) => [appPasswordJson(p).id as string, appPasswordJson(p)]));
  const wanted = ids === null ? [...byId.keys()] : [...new Set(ids)];
  const list: JsonObject[] = [];
  const notFound: string[] = [];
  for (const id of wanted) {
    const full = byId.get(id);
    if (full) list.push(Object.fromEntries(properties.map((p) => [p, full[p] ?? null])));
    else notFound.push(id);
  }
  return { accountId: mc.accountId, state: appPasswordsState(all), list, notFound };
}
