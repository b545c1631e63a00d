// VacationResponse/get (RFC 8621 8.1): the standard /get over the one object "singleton".
import { getArgs } from "../core/standard.js";
import { currentState } from "../core/state.js";
import type { JsonObject, MethodContext } from "../core/types.js";
import { SINGLETON, VACATION_PROPERTIES, vacationJson } from "./object.js";

export async function vacationGet(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  const { ids, properties } = getArgs(args, mc, {
    defaults: VACATION_PROPERTIES,
    known: (p) => VACATION_PROPERTIES.includes(p),
  });
  const state = await currentState(mc, "vacationResponse");
  const full = vacationJson(await mc.services.app.store.settings.getVacation(mc.account.id));
  const wanted = ids === null || ids.includes(SINGLETON);
  const list = wanted ? [Object.fromEntries(properties.map((p) => [p, full[p] ?? null]))] : [];
  const notFound = (ids ?? []).filter((id) => id !== SINGLETON);
  return { accountId: mc.accountId, state, list, notFound: [...new Set(notFound)] };
}
