// Identity/changes (RFC 8621 6.2, RFC 8620 5.2) over the account change log.
import { identityIdOf } from "../core/ids.js";
import { standardChanges } from "../core/standard.js";
import type { JsonObject, MethodContext } from "../core/types.js";

export const identityChanges = (args: JsonObject, mc: MethodContext): Promise<JsonObject> =>
  standardChanges(args, mc, "identity", identityIdOf);
