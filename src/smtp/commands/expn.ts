// EXPN (RFC 5321 §4.1.1.7, §7.3): not offered; alias contents are not disclosed.
import { SmtpError } from "../errors.js";
import type { CommandHandler } from "./types.js";

export const expn: CommandHandler = () => {
  throw new SmtpError("not-implemented", "EXPN not available");
};
