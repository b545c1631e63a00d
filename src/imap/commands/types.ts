// The shape every command handler has: typed arguments in, untagged responses written through
// the session, a tagged OK result out (errors are thrown as ImapError and mapped in errors.ts).

import type { StateKind } from "../state.js";
import type { Command, CommandName } from "../wire/command.js";
import type { Session } from "./context.js";

export interface CommandResult {
  code?: string;
  text?: string;
  /** The handler wrote the tagged response itself (STARTTLS must, before the handshake). */
  done?: boolean;
}

/** The Command variant whose name covers N (several commands share one variant, e.g. SELECT/EXAMINE). */
export type CommandOf<N extends CommandName> = Command extends infer C
  ? C extends { name: infer M }
    ? N extends M
      ? C
      : never
    : never
  : never;

export interface CommandSpec<N extends CommandName> {
  states: readonly StateKind[];
  run(cmd: CommandOf<N>, s: Session): Promise<CommandResult | undefined>;
}

export const ANY: readonly StateKind[] = ["not-authenticated", "authenticated", "selected"];
export const NOT_AUTH: readonly StateKind[] = ["not-authenticated"];
export const AUTH: readonly StateKind[] = ["authenticated", "selected"];
export const SELECTED: readonly StateKind[] = ["selected"];
