// ManageSieve server (RFC 5804): clients upload, list, activate and delete an account's Sieve
// scripts, stored with the SieveStore and run at delivery by the post office's sieve stage.
// Map of this folder:
//   listener.ts   accept loop and connection limits       session.ts  one connection: read, dispatch, respond
//   io.ts         bounded lines and literals in, output   errors.ts   typed errors → NO / BYE responses
//   state.ts      non-authenticated / authenticated       commands/   one handler per command + table
//   wire/         command scanner, response writer (pure, no I/O)
import type { ListenerFactory } from "../server/context.js";
import { startManageSieveListener as start } from "./listener.js";

export const startManageSieveListener: ListenerFactory = start;
