// NOOP (RFC 5321 §4.1.1.9): the argument, if any, is ignored.
import { replies } from "../replies.js";
import type { CommandHandler } from "./types.js";

export const noop: CommandHandler = (s) => {
  s.send(replies.ok());
};
