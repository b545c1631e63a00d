// The command table of a protocol whose sessions move between states (POP3, ManageSieve): each
// entry lists the states its command is allowed in, which the dispatcher checks before the
// handler runs, and the handler's state type follows from that list (checked by the compiler).
// SMTP's table has its own shape (a reply per state for commands out of sequence).

/** A table entry: S is the session-state union, C what a handler may ask of its connection. */
export interface CommandSpec<S extends { kind: string }, C, Cmd> {
  readonly states: readonly S["kind"][];
  readonly run: (conn: C, cmd: Cmd, state: S) => Promise<void>;
}

/** The `allow(states, handler)` of one protocol's table. */
export function tableEntries<S extends { kind: string }, C, Cmd>() {
  return <K extends S["kind"]>(
    states: readonly K[],
    run: (conn: C, cmd: Cmd, state: Extract<S, { kind: K }>) => Promise<void>,
  ): CommandSpec<S, C, Cmd> =>
    // Sound because the dispatcher runs `run` only when the state's kind is in `states`.
    ({ states, run: run as unknown as CommandSpec<S, C, Cmd>["run"] });
}
