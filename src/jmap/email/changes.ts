// Email/changes (RFC 8621 4.3).
import { emailIdOf } from "../core/ids.js";
import { standardChanges } from "../core/standard.js";
import type { JsonObject, MethodContext } from "../core/types.js";

export const emailChanges = (args: JsonObject, mc: MethodContext): Promise<JsonObject> =>
  standardChanges(args, mc, "email", emailIdOf);
