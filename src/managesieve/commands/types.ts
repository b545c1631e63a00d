// The shape of a command handler and what it may ask of its connection. Handlers never touch the
// socket: they reply through Conn and throw SieveProtocolError (errors.ts) on failure.
import type { AuthResult } from "../../auth/types.js";
import type { Logger } from "../../log/logger.js";
import { type CommandSpec as TableEntry, tableEntries } from "../../server/command-table.js";
import type { AppContext } from "../../server/context.js";
import type { SessionState, StateKind } from "../state.js";
import type { Command } from "../wire/command.js";
import type { ResponseCode } from "../wire/response.js";

export type ManageSieveConfig = AppContext["config"]["managesieve"];

export interface Conn {
  readonly ctx: AppContext;
  readonly cfg: ManageSieveConfig;
  readonly log: Logger;
  readonly remoteIp: string;
  /** TLS is active (after STARTTLS). */
  readonly secure: boolean;
  /** STARTTLS may be offered now (starttls listener, not yet secure, not logged in). */
  readonly offersStartTls: boolean;
  /** AUTHENTICATE may be used now (TLS, or managesieve.allowPlaintextAuth). */
  readonly plaintextAuthAllowed: boolean;
  state: SessionState;
  /** Response lines before the final one (capabilities, script names, a script). */
  send(pieces: readonly (Buffer | string)[]): Promise<void>;
  /** The final OK, with an optional response code and text. */
  ok(text?: string, code?: ResponseCode): Promise<void>;
  /** One SASL round (RFC 5804 §2.1): send the challenge (base64) as a string, read the client's
   *  string; "*" cancels. maxOctets bounds the response (a literal larger closes the connection). */
  saslRound(challengeB64: string): Promise<string>;
  /** After the auth service answered: count a failure and throw it, or enter the authenticated state. */
  enter(result: AuthResult): Promise<void>;
  /** Back to the non-authenticated state (UNAUTHENTICATE, RFC 5804 §2.14). */
  leave(): void;
  /** After STARTTLS's OK: switch the connection to TLS. */
  startTls(): Promise<void>;
  /** End the session once this command's response is sent. */
  endAfterReply(): void;
}

export type Handler<S> = (conn: Conn, cmd: Command, state: S) => Promise<void>;

/** A command table entry: the states the command is allowed in, checked by the dispatcher. */
export type CommandSpec = TableEntry<SessionState, Conn, Command>;

export const ANY: readonly StateKind[] = ["nonauth", "auth"];
export const NONAUTH: readonly ["nonauth"] = ["nonauth"];
export const AUTH: readonly ["auth"] = ["auth"];

/** A table entry whose handler's state type follows from `states` (checked by the compiler). */
export const allow = tableEntries<SessionState, Conn, Command>();
