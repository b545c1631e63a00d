// HELP (RFC 5321 §4.1.1.8).
import { replies } from "../replies.js";
import type { CommandHandler } from "./types.js";

export const help: CommandHandler = (s) => {
  s.send(replies.help());
};
