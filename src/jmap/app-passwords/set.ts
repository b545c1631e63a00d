// AppPassword/set (urn:yubin:params:jmap:apppasswords), a standard /set (RFC 8620 5.3):
//  - create { name, scopes } makes an app password (src/auth/app-passwords.ts); the created
//    object carries the server-set properties and, this once, "secret" as the user is to type it
//    (and "appleProfile", a .mobileconfig holding it, when asked with withAppleProfile: true);
//  - update is refused (SetError "forbidden"): an app password is revoked and made anew;
//  - destroy revokes it: the device's IMAP/POP3/SMTP sessions end at their next command
//    (auth/login-recheck.ts) and its JMAP requests and push streams are refused.
import type { CreatedAppPassword } from "../../auth/app-passwords.js";
import { clientEndpoints, displayNameFor } from "../../autoconfig/endpoints.js";
import { mobileconfigProfile } from "../../autoconfig/mobileconfig.js";
import { StoreError } from "../../store/errors.js";
import { setError } from "../core/errors.js";
import { emptySetResult, setArgsAt } from "../core/set.js";
import type { JsonObject, MethodContext } from "../core/types.js";
import { appPasswordJson, appPasswordsState, parseAppPasswordId, parseCreate } from "./object.js";

/** The Apple profile (autoconfig/mobileconfig.ts) for the account with the new secret in it. */
function appleProfile(mc: MethodContext, made: CreatedAppPassword, scopes: readonly string[]): string | null {
  const config = mc.services.app.config;
  const address = mc.account.address;
  return mobileconfigProfile(clientEndpoints(config), {
    email: address,
    displayName: displayNameFor(config, address.slice(address.lastIndexOf("@") + 1)),
    appPassword: { id: made.appPassword.id, secret: made.secret, scopes },
  });
}

export async function appPasswordSet(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  const { store, appPasswords } = mc.services.app;
  const state = async () => appPasswordsState(await store.appPasswords.list(mc.account.id));
  const oldState = await state();
  const sa = setArgsAt(args, mc, oldState);
  const r = emptySetResult();
  for (const [cid, o] of sa.create) {
    const parsed = parseCreate(o);
    if ("bad" in parsed) {
      r.notCreated[cid] = setError("invalidProperties", undefined, { properties: parsed.bad });
      continue;
    }
    try {
      const made = await appPasswords.create(mc.account.id, parsed);
      const json = appPasswordJson(made.appPassword);
      let profile: string | null = null;
      if (parsed.appleProfile) {
        profile = appleProfile(mc, made, parsed.scopes);
        if (profile === null) {
          // Nothing to put in it (no IMAP/POP3 or submission listener): nothing made either.
          await store.appPasswords.revoke(mc.account.id, made.appPassword.id);
          r.notCreated[cid] = setError(
            "invalidProperties",
            "no IMAP/POP3 and submission listener for a profile",
            {
              properties: ["withAppleProfile"],
            },
          );
          continue;
        }
      }
      r.created[cid] = {
        ...json,
        secret: made.secret,
        ...(profile === null ? {} : { appleProfile: profile }),
      };
      mc.createdIds.set(cid, json.id as string);
    } catch (e) {
      if (!(e instanceof StoreError)) throw e;
      if (e.code === "quota") r.notCreated[cid] = setError("overQuota", e.message);
      else if (e.code === "invalid")
        r.notCreated[cid] = setError("invalidProperties", e.message, {
          properties: e.message.includes("name") ? ["name"] : ["scopes"],
        });
      else throw e;
    }
  }
  for (const [id] of sa.update)
    r.notUpdated[id] = setError(
      "forbidden",
      "an app password cannot be changed: revoke it and make a new one",
    );
  for (const id of sa.destroy) {
    const n = parseAppPasswordId(id);
    if (n !== null && (await store.appPasswords.revoke(mc.account.id, n))) {
      r.destroyed.push(id);
      mc.services.app.log.info("app password revoked", { account: mc.account.id, appPassword: n });
    } else r.notDestroyed[id] = setError("notFound");
  }
  const orNull = <T>(o: Record<string, T>) => (Object.keys(o).length === 0 ? null : o);
  return {
    accountId: mc.accountId,
    oldState,
    newState: await state(),
    created: orNull(r.created) as JsonObject | null,
    updated: null,
    destroyed: r.destroyed.length === 0 ? null : r.destroyed,
    notCreated: orNull(r.notCreated) as JsonObject | null,
    notUpdated: orNull(r.notUpdated) as JsonObject | null,
    notDestroyed: orNull(r.notDestroyed) as JsonObject | null,
  };
}
