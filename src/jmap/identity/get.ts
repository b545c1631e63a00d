// Identity/get (RFC 8621 6.1): the addresses the account may send as, read-only: its own
// address ("I0") and its explicit send-as grants of whole addresses ("I" + base64url of the
// address, stable as long as the grant exists). Identity/set is not offered (no store for
// names and signatures yet).
import { getArgs } from "../core/standard.js";
import { currentState } from "../core/state.js";
import type { Json, JsonObject, MethodContext } from "../core/types.js";

export const IDENTITY_PROPERTIES = [
  "id",
  "name",
  "email",
  "replyTo",
  "bcc",
  "textSignature",
  "htmlSignature",
  "mayDelete",
];

export interface IdentityEntry {
  id: string;
  email: string;
}

export async function identitiesOf(mc: MethodContext): Promise<IdentityEntry[]> {
  const out: IdentityEntry[] = [{ id: "I0", email: mc.account.address }];
  for (const g of await mc.services.app.store.directory.listSendAs(mc.account.id)) {
    if (g.startsWith("@")) continue;
    out.push({ id: `I${Buffer.from(g.toLowerCase()).toString("base64url")}`, email: g });
  }
  return out;
}

export async function identityGet(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  const { ids, properties } = getArgs(args, mc, {
    defaults: IDENTITY_PROPERTIES,
    known: (p) => IDENTITY_PROPERTIES.includes(p),
  });
  const all = await identitiesOf(mc);
  const list: Json[] = [];
  const notFound: string[] = [];
  const wanted = ids === null ? all : [];
  if (ids !== null) {
    for (const id of ids) {
      const i = all.find((x) => x.id === id);
      if (i) wanted.push(i);
      else notFound.push(id);
    }
  }
  for (const i of wanted) {
    const full: JsonObject = {
      id: i.id,
      name: "",
      email: i.email,
      replyTo: null,
      bcc: null,
      textSignature: "",
      htmlSignature: "",
      mayDelete: false,
    };
    list.push(Object.fromEntries(properties.map((p) => [p, full[p] ?? null])));
  }
  // Identities change only with send-as grants; the account's Email state is not theirs, so a
  // constant state is reported (no Identity/changes is offered).
  void currentState;
  return { accountId: mc.accountId, state: "0", list, notFound };
}
