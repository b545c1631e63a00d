// RFC 9051 6.2.3 LOGIN: refused without TLS unless allowPlaintextAuth (LOGINDISABLED).
import { plaintextAuthAllowed } from "../capabilities.js";
import { no } from "../errors.js";
import { completeLogin } from "./login-common.js";
import { type CommandSpec, NOT_AUTH } from "./types.js";

export const login: CommandSpec<"LOGIN"> = {
  states: NOT_AUTH,
  async run(cmd, s) {
    if (!plaintextAuthAllowed(s)) throw no("Use STARTTLS first", "PRIVACYREQUIRED");
    return completeLogin(s, cmd.user, cmd.password);
  },
};
