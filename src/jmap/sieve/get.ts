// SieveScript/get (RFC 9661 2.3, RFC 8620 5.1): the account's scripts from the store. The state
// is the account change log's SieveScript seq, so SieveScript/changes answers from it.
import { getArgs } from "../core/standard.js";
import { currentState } from "../core/state.js";
import type { Json, JsonObject, MethodContext } from "../core/types.js";
import { parseSieveScriptId, SIEVE_PROPERTIES, sieveScriptJson } from "./object.js";

export async function sieveScriptGet(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  const { ids, properties } = getArgs(args, mc, {
    defaults: SIEVE_PROPERTIES,
    known: (p) => SIEVE_PROPERTIES.includes(p),
  });
  // State first: a change made between the two reads shows up in the next /changes.
  const state = await currentState(mc, "sieveScript");
  const all = await mc.services.app.store.sieve.list(mc.account.id);
  const wanted = ids === null ? all : [];
  const notFound: string[] = [];
  for (const id of ids ?? []) {
    const n = parseSieveScriptId(id);
    const s = n === null ? undefined : all.find((x) => x.id === n);
    if (s) wanted.push(s);
    else notFound.push(id);
  }
  const list: Json[] = wanted.map((s) => {
    const full = sieveScriptJson(s);
    return Object.fromEntries(properties.map((p) => [p, full[p] ?? null]));
  });
  return { accountId: mc.accountId, state, list, notFound };
}
