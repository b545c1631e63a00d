// RSET (RFC 5321 §4.1.1.5): abort the transaction, keep the greeting and authentication.
import { replies } from "../replies.js";
import type { CommandHandler } from "./types.js";

export const rset: CommandHandler = (s) => {
  s.resetTransaction();
  s.send(replies.ok());
};
