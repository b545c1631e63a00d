// Thread/changes (RFC 8621 3.2).
import { threadIdOf } from "../core/ids.js";
import { standardChanges } from "../core/standard.js";
import type { JsonObject, MethodContext } from "../core/types.js";

export const threadChanges = (args: JsonObject, mc: MethodContext): Promise<JsonObject> =>
  standardChanges(args, mc, "thread", threadIdOf);
