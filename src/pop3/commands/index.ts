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
import type { CommandSpec } from "./types.js";
import { uidl } from "./uidl.js";
import { user } from "./user.js";

export const commandTable: Readonly<Record<string, CommandSpec>> = {
  USER: { states: "authorization", run: user },
  PASS: { states: "authorization", run: pass },
  AUTH: { states: "authorization", run: auth },
  STLS: { states: "authorization", run: stls },
  CAPA: { states: "any", run: capa },
  QUIT: { states: "any", run: quit },
  STAT: { states: "transaction", run: stat },
  LIST: { states: "transaction", run: list },
  RETR: { states: "transaction", run: retr },
  DELE: { states: "transaction", run: dele },
  NOOP: { states: "transaction", run: noop },
  RSET: { states: "transaction", run: rset },
  TOP: { states: "transaction", run: top },
  UIDL: { states: "transaction", run: uidl },
};
