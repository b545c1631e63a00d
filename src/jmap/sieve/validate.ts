// SieveScript/validate (RFC 9661 2.6): checks an uploaded script without storing it. The
// response's error is null for a valid script, else the SetError /set would give (invalidSieve
// with each diagnostic's line and column, tooLarge, blobNotFound).
import { checkAccount } from "../core/args.js";
import { invalidArgs } from "../core/errors.js";
import type { JsonObject, MethodContext } from "../core/types.js";
import { checkScript, scriptText } from "./content.js";

export async function sieveScriptValidate(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  checkAccount(args, mc);
  const blobId = args.blobId;
  if (typeof blobId !== "string") throw invalidArgs("blobId must be an Id");
  const r = await scriptText(mc, blobId);
  const error = r.ok ? checkScript(mc, r.text) : r.error;
  return { accountId: mc.accountId, error: error as JsonObject | null };
}
