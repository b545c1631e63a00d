// QUIT (RFC 5321 §4.1.1.10): reply 221, then close. Any open transaction is abandoned.
import { replies } from "../replies.js";
import type { CommandHandler } from "./types.js";

export const quit: CommandHandler = (s) => {
  s.resetTransaction();
  s.end(replies.bye());
};
