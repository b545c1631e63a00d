// Identity/get (RFC 8621 6.1, RFC 8620 5.1): the account's identities from the store (its
// primary identity for its own address, and those the user created with Identity/set). The
// state is the account change log's Identity seq, so Identity/changes can answer from it.
import { parseIdentityId } from "../core/ids.js";
import { getArgs } from "../core/standard.js";
import { currentState } from "../core/state.js";
import type { Json, JsonObject, MethodContext } from "../core/types.js";
import { IDENTITY_PROPERTIES, identityJson } from "./object.js";

export async function identityGet(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  const { ids, properties } = getArgs(args, mc, {
    defaults: IDENTITY_PROPERTIES,
    known: (p) => IDENTITY_PROPERTIES.includes(p),
  });
  // State first: a change made between the two reads shows up in the next /changes.
  const state = await currentState(mc, "identity");
  const all = await mc.services.app.store.settings.listIdentities(mc.account.id);
  const list: Json[] = [];
  const notFound: string[] = [];
  const wanted = ids === null ? all : [];
  for (const id of ids ?? []) {
    const n = parseIdentityId(id);
    const i = n === null ? undefined : all.find((x) => x.id === n);
    if (i) wanted.push(i);
    else notFound.push(id);
  }
  for (const i of wanted) {
    const full = identityJson(i);
    list.push(Object.fromEntries(properties.map((p) => [p, full[p] ?? null])));
  }
  return { accountId: mc.accountId, state, list, notFound };
}
