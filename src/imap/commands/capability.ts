// RFC 9051 6.1.1 CAPABILITY
import { capabilities } from "../capabilities.js";
import { ANY, type CommandSpec } from "./types.js";

export const capability: CommandSpec<"CAPABILITY"> = {
  states: ANY,
  async run(_cmd, s) {
    s.sendLine(`* CAPABILITY ${capabilities(s).join(" ")}`);
    return undefined;
  },
};
