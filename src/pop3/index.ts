// POP3 server (RFC 1939, 2449 CAPA, 2595 STLS, 5034 AUTH, 3206 response codes).
// Map of this folder:
//   listener.ts   accept loop and connection limits      session.ts  one connection: read, dispatch, reply
//   (server/line-io.ts: bounded line input, backpressured output)  errors.ts  typed errors → "-ERR [CODE] text"
//   state.ts      AUTHORIZATION / TRANSACTION union       maildrop.ts the session's snapshot of INBOX
//   shared.ts     maildrop locks, RETR size cache         commands/   one handler per command + table
//   wire/         command-line parser, dot-stuffing (pure, no I/O)
import type { ListenerFactory } from "../server/context.js";
import { startPop3Listener as start } from "./listener.js";

export const startPop3Listener: ListenerFactory = start;
