// VRFY (RFC 5321 §4.1.1.6, §7.3): never confirms whether an address exists (no user
// enumeration); 252 is the reply §3.5.3 gives for exactly that.
import { replies } from "../replies.js";
import type { CommandHandler } from "./types.js";

export const vrfy: CommandHandler = (s) => {
  s.send(replies.vrfy());
};
