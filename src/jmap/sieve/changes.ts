// SieveScript/changes (RFC 9661 2, RFC 8620 5.2) over the account change log, where every
// create, content change, rename, activation and destroy of a script is logged (whichever
// protocol made it: JMAP, ManageSieve, the webmail, the CLI).
import { standardChanges } from "../core/standard.js";
import type { JsonObject, MethodContext } from "../core/types.js";
import { sieveScriptIdOf } from "./object.js";

export const sieveScriptChanges = (args: JsonObject, mc: MethodContext): Promise<JsonObject> =>
  standardChanges(args, mc, "sieveScript", sieveScriptIdOf);
