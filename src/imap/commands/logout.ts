// RFC 9051 6.1.3 LOGOUT: BYE, then the tagged OK; the connection closes after it.
import { ANY, type CommandSpec } from "./types.js";

export const logout: CommandSpec<"LOGOUT"> = {
  states: ANY,
  async run(_cmd, s) {
    s.sendLine("* BYE Logging out");
    s.close();
    return undefined;
  },
};
