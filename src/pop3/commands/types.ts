// The shape of a command handler and what a handler may ask of its connection.
// Handlers never touch the socket: they reply through Conn, and throw Pop3Error on failure.

import type { AuthResult } from "../../auth/types.js";
import type { Logger } from "../../log/logger.js";
import { type CommandSpec as TableEntry, tableEntries } from "../../server/command-table.js";
import type { AppContext } from "../../server/context.js";
import type { SessionState, StateKind } from "../state.js";
import type { Command } from "../wire/command.js";

export type Pop3Config = AppContext["config"]["pop3"];

export interface Conn {
  readonly ctx: AppContext;
  readonly cfg: Pop3Config;
  readonly log: Logger;
  readonly remoteIp: string;
  /** TLS is active (implicit, or after STLS). */
  readonly secure: boolean;
  /** STLS may be offered now (starttls listener, not yet secure, not logged in). */
  readonly offersStls: boolean;
  /** USER/PASS and AUTH may be used now (TLS, or pop3.allowPlaintextAuth). */
  readonly plaintextAuthAllowed: boolean;
  state: SessionState;
  /** "+OK text" */
  ok(text: string): Promise<void>;
  /** "+OK first", then the body pieces (already dot-stuffed), then ".". */
  multiline(first: string, body: readonly (Buffer | string)[]): Promise<void>;
  /** A SASL exchange: send "+ challenge", return the client's line (at most maxLength octets,
   *  default pop3.maxLineLength). */
  continuation(challenge: string, maxLength?: number): Promise<string>;
  /** Check credentials, lock and open the maildrop, enter TRANSACTION. Throws Pop3Error. */
  login(username: string, password: string): Promise<void>;
  /** login() after the auth service has answered (OAuth bearer tokens: auth-oauth.ts): a failure
   *  is counted and thrown as login() would, a success enters TRANSACTION. */
  enter(result: AuthResult): Promise<void>;
  /** After "+OK Begin TLS negotiation": switch the connection to TLS. */
  startTls(): Promise<void>;
  /** End the session once this command's reply is sent. */
  endAfterReply(): void;
}

export type Handler<S> = (conn: Conn, cmd: Command, state: S) => Promise<void>;

/** A command table entry: the states the command is allowed in, checked by the dispatcher
 *  (session.ts) before the handler runs. */
export type CommandSpec = TableEntry<SessionState, Conn, Command>;

export const ANY: readonly StateKind[] = ["authorization", "transaction"];
export const AUTHORIZATION: readonly ["authorization"] = ["authorization"];
export const TRANSACTION: readonly ["transaction"] = ["transaction"];

/** A table entry whose handler's state type follows from `states` (checked by the compiler). */
export const allow = tableEntries<SessionState, Conn, Command>();
