// RFC 9051 6.1.2 NOOP and RFC 3501 6.4.1 CHECK: nothing to do; the dispatcher reports pending
// mailbox changes after every command, which is what clients poll with NOOP for.
import { ANY, type CommandSpec, SELECTED } from "./types.js";

export const noop: CommandSpec<"NOOP"> = {
  states: ANY,
  async run() {
    return undefined;
  },
};

export const check: CommandSpec<"CHECK"> = {
  states: SELECTED,
  async run() {
    return undefined; // every change is durable when its command completes
  },
};
