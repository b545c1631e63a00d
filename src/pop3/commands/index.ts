// The POP3 command table: name → allowed states and handler (RFC 1939 §3, RFC 2449, 2595, 5034).
// The dispatcher (session.ts) checks the state, so each handler receives the state it needs.
// APOP is absent on purpose: see capa.ts.
import { auth } from "./auth.js";
import { capa } from "./capa.js";
import { dele } from "./dele.js";
import { list } from "./list.js";
import { noop } from "./noop.js";
import { pass } from "./pass.js";
import { quit } from "./quit.js";
import { retr } from "./retr.js";
import { rset } from "./rset.js";
import { stat } from "./stat.js";
import { stls } from "./stls.js";
import { top } from "./top.js";
import { ANY, AUTHORIZATION, allow, type CommandSpec, TRANSACTION } from "./types.js";
import { uidl } from "./uidl.js";
import { user } from "./user.js";

export const commandTable: Readonly<Record<string, CommandSpec>> = {
  USER: allow(AUTHORIZATION, user),
  PASS: allow(AUTHORIZATION, pass),
  AUTH: allow(AUTHORIZATION, auth),
  STLS: allow(AUTHORIZATION, stls),
  CAPA: allow(ANY, capa),
  QUIT: allow(ANY, quit),
  STAT: allow(TRANSACTION, stat),
  LIST: allow(TRANSACTION, list),
  RETR: allow(TRANSACTION, retr),
  DELE: allow(TRANSACTION, dele),
  NOOP: allow(TRANSACTION, noop),
  RSET: allow(TRANSACTION, rset),
  TOP: allow(TRANSACTION, top),
  UIDL: allow(TRANSACTION, uidl),
};
