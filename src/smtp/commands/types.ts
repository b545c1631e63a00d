// The shape of every command handler: parse the argument, act, reply (or throw SmtpError), and
// the command table entry that says in which session phases a command may be given. The
// dispatcher (session.ts) checks the phase before the handler runs, so a handler allowed only in
// "mail" receives the state with the transaction in it, as IMAP's and POP3's tables do.
import type { Session } from "../session.js";
import type { SessionState } from "../state.js";

export type Phase = SessionState["phase"];
export type StateIn<P extends Phase> = Extract<SessionState, { phase: P }>;

/** A handler; `state` is the session's state, narrowed to the phases its entry allows. */
export type Handler<P extends Phase = Phase> = (
  s: Session,
  arg: string,
  state: StateIn<P>,
) => Promise<void> | void;

/** Kept for handlers allowed in every phase, which take no state. */
export type CommandHandler = Handler;

export interface CommandSpec {
  /** The phases (RFC 5321 §4.1.4 order) in which the command is allowed. */
  readonly states: readonly Phase[];
  /** The 503 5.5.1 detail when the command comes in another phase. */
  readonly outOfSequence: Readonly<Partial<Record<Phase, string>>>;
  readonly run: Handler;
}

export const ANY: readonly Phase[] = ["connected", "ready", "mail"];

/** A table entry whose handler's state type follows from `states` (checked by the compiler). */
export function allow<P extends Phase>(
  states: readonly P[],
  run: Handler<P>,
  outOfSequence: string | Readonly<Partial<Record<Phase, string>>> = {},
): CommandSpec {
  const texts =
    typeof outOfSequence === "string"
      ? Object.fromEntries(
          ANY.filter((p) => !(states as readonly Phase[]).includes(p)).map((p) => [p, outOfSequence]),
        )
      : outOfSequence;
  // Sound because the dispatcher runs `run` only when the state's phase is in `states`.
  return { states, outOfSequence: texts, run: run as unknown as Handler };
}
