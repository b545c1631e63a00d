// RFC 2971 ID: the client tells who it is (logged), the server answers with its name.

import { q } from "../wire/writer.js";
import { ANY, type CommandSpec } from "./types.js";

export const id: CommandSpec<"ID"> = {
  states: ANY,
  async run(cmd, s) {
    if (cmd.params) s.log.debug("client id", { id: Object.fromEntries(cmd.params) });
    s.send(["ID", [q("name"), q("Yubin")]]);
    return undefined;
  },
};
