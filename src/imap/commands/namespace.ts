// RFC 2342 NAMESPACE: one personal namespace, no prefix, "/" as delimiter; no shared ones.
import { AUTH, type CommandSpec } from "./types.js";

export const namespace: CommandSpec<"NAMESPACE"> = {
  states: AUTH,
  async run(_cmd, s) {
    s.sendLine('* NAMESPACE (("" "/")) NIL NIL');
    return undefined;
  },
};
