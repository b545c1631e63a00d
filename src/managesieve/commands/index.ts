// The ManageSieve command table: name → allowed states and handler (RFC 5804 §2).
// The dispatcher (session.ts) checks the state, so each handler receives the state it needs.
import { authenticate } from "./authenticate.js";
import { capability } from "./capability.js";
import { checkscript } from "./checkscript.js";
import { deletescript } from "./deletescript.js";
import { getscript } from "./getscript.js";
import { havespace } from "./havespace.js";
import { listscripts } from "./listscripts.js";
import { logout } from "./logout.js";
import { noop } from "./noop.js";
import { putscript } from "./putscript.js";
import { renamescript } from "./renamescript.js";
import { setactive } from "./setactive.js";
import { starttls } from "./starttls.js";
import { ANY, AUTH, allow, type CommandSpec, NONAUTH } from "./types.js";
import { unauthenticate } from "./unauthenticate.js";

export const commandTable: Readonly<Record<string, CommandSpec>> = {
  AUTHENTICATE: allow(NONAUTH, authenticate),
  STARTTLS: allow(NONAUTH, starttls),
  CAPABILITY: allow(ANY, capability),
  LOGOUT: allow(ANY, logout),
  NOOP: allow(ANY, noop),
  UNAUTHENTICATE: allow(AUTH, unauthenticate),
  HAVESPACE: allow(AUTH, havespace),
  PUTSCRIPT: allow(AUTH, putscript),
  LISTSCRIPTS: allow(AUTH, listscripts),
  SETACTIVE: allow(AUTH, setactive),
  GETSCRIPT: allow(AUTH, getscript),
  DELETESCRIPT: allow(AUTH, deletescript),
  RENAMESCRIPT: allow(AUTH, renamescript),
  CHECKSCRIPT: allow(AUTH, checkscript),
};
