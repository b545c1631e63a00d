// The command table (RFC 5321 §4.1.1 and the extensions Yubin offers). A verb not listed
// here gets 500 5.5.2. Each handler checks the session phase it needs.
import { auth } from "./auth.js";
import { bdat } from "./bdat.js";
import { data } from "./data.js";
import { ehlo } from "./ehlo.js";
import { expn } from "./expn.js";
import { helo } from "./helo.js";
import { help } from "./help.js";
import { mail } from "./mail.js";
import { noop } from "./noop.js";
import { quit } from "./quit.js";
import { rcpt } from "./rcpt.js";
import { rset } from "./rset.js";
import { starttls } from "./starttls.js";
import type { CommandHandler } from "./types.js";
import { vrfy } from "./vrfy.js";

export const commandTable: Record<string, CommandHandler> = {
  HELO: helo,
  EHLO: ehlo,
  MAIL: mail,
  RCPT: rcpt,
  DATA: data,
  BDAT: bdat,
  RSET: rset,
  NOOP: noop,
  QUIT: quit,
  VRFY: vrfy,
  EXPN: expn,
  HELP: help,
  STARTTLS: starttls,
  AUTH: auth,
};
