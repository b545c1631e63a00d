// One POP3 connection: reads command lines, dispatches them through the command table with the
// state each handler needs, and renders every thrown error as one "-ERR" line (errors.ts).
// Commands run strictly in order, so pipelined commands (RFC 2449 PIPELINING) are answered in order.
//
// Invariants:
//  - The maildrop lock is released and the notifier subscription dropped however the session
//    ends; only QUIT commits deletions (RFC 1939 §6).
//  - Passwords and SASL responses are never logged: only command names are.
//  - After STLS, buffered plaintext is discarded (server/line-io.ts) and the session starts over.

import { type LoginCheck, loginCheck, loginStands } from "../auth/login-recheck.js";
import type { AuthResult } from "../auth/types.js";
import { ConnectionGone, LineIo } from "../server/line-io.js";
import { LineSession } from "../server/line-session.js";
import type { SessionOptions } from "../server/session-listener.js";
import { maildropLockName } from "../store/locks.js";
import { commandTable } from "./commands/index.js";
import type { Conn, Pop3Config } from "./commands/types.js";
import { errorLine, errors, Pop3Error, pop3ErrorOf } from "./errors.js";
import { Maildrop } from "./maildrop.js";
import { type Pop3Shared, sharedFor } from "./shared.js";
import type { SessionState } from "./state.js";
import { parseCommand } from "./wire/command.js";

export type { SessionOptions } from "../server/session-listener.js";

export class Session extends LineSession implements Conn {
  readonly cfg: Pop3Config;
  state: SessionState = { kind: "authorization", user: null };
  private readonly shared: Pop3Shared;
  private errorCount = 0;

  constructor(opts: SessionOptions) {
    const cfg = opts.ctx.config.pop3;
    // Login must succeed by pop3.loginDeadlineSec after connecting: reading CAPA every few
    // seconds resets the idle timer but never this (issue 18: pre-login connections must not
    // live forever). Once logged in, RFC 1939 §3 wants an idle limit of at least 10 minutes.
    super(opts, { name: "pop3", clocks: cfg, io: (s) => new LineIo(s, cfg.maxLineLength) });
    this.cfg = cfg;
    this.shared = sharedFor(opts.ctx);
  }

  get offersStls(): boolean {
    return this.listener.tls === "starttls" && !this.secure && this.state.kind === "authorization";
  }

  get plaintextAuthAllowed(): boolean {
    return this.secure || this.cfg.allowPlaintextAuth;
  }

  protected get loggedIn(): boolean {
    return this.state.kind === "transaction";
  }

  protected get loginKept(): LoginCheck | null {
    return this.state.kind === "transaction" ? this.state.login : null;
  }

  protected async greet(): Promise<void> {
    // No APOP timestamp in the greeting: APOP is not offered (commands/capa.ts).
    await this.ok("Yubin POP3 server ready");
  }

  private async loginTooLate(): Promise<void> {
    await this.send(["-ERR login took too long, closing connection\r\n"]);
  }

  protected async loop(): Promise<void> {
    while (!this.ending) {
      // Checked before each command too: a client sending a steady stream is never idle.
      if (this.loginLate()) return this.loginTooLate();
      const read = await this.io.readLine(this.idleMs);
      switch (read.kind) {
        case "closed":
          return;
        case "timeout":
          if (this.loginLate(true)) return this.loginTooLate();
          await this.send(["-ERR [SYS/TEMP] idle too long, closing connection\r\n"]);
          return;
        case "interrupted":
          // The account was disabled or its password changed while the client waited: as at a
          // command, "-ERR [AUTH]" and nothing committed (RFC 1939 6: only QUIT updates).
          if (this.loginGone) return this.send([errorLine(errors.loginEnded())]);
          await this.send(["-ERR [SYS/TEMP] server shutting down, try again later\r\n"]);
          return;
        case "too-long":
          await this.fail(errors.lineTooLong(this.cfg.maxLineLength));
          break;
        case "line":
          await this.dispatch(read.line.toString("utf8"));
          break;
      }
    }
  }

  private async dispatch(line: string): Promise<void> {
    const parsed = parseCommand(line);
    if (!parsed.ok) {
      await this.fail(
        errors.unknownCommand(parsed.reason === "empty" ? "(empty)" : (line.split(" ")[0] ?? "")),
      );
      return;
    }
    if (!(await this.loginStands())) return;
    if (this.state.kind === "transaction" && !this.state.lock.held) {
      // The shared lock's lease ran out (its service was unreachable too long) and another
      // session may hold the maildrop now: end without committing deletions (RFC 1939 §6).
      await this.fail(errors.lockLost());
      return;
    }
    const cmd = parsed.command;
    const spec = commandTable[cmd.name];
    const state = this.state;
    await this.runCommand({
      name: cmd.name,
      account: state.kind === "transaction" ? state.account.address : undefined,
      state: state.kind,
      run: async () => {
        if (!spec) throw errors.unknownCommand(cmd.name);
        if (!spec.states.includes(state.kind)) throw errors.wrongState(cmd.name);
        await spec.run(this, cmd, state);
      },
      // Not one of ours nor the store's "unavailable": a bug. This session's state is unknown
      // now, so it ends after "-ERR [SYS/TEMP]" (RFC 3206 §4); every other session goes on.
      fail: (e) => this.fail(pop3ErrorOf(e)),
    });
  }

  /**
   * Whether the login still stands (issue 18, finding 10): every auth.sessionRecheckSec the
   * account is read again, and after a password change or reset, a disable or a deletion the
   * session ends with "-ERR [AUTH]" (RFC 3206 4) before the command runs. Deletions are not
   * committed: only QUIT enters the UPDATE state (RFC 1939 6).
   */
  private async loginStands(): Promise<boolean> {
    const state = this.state;
    if (state.kind !== "transaction") return true;
    if (await loginStands(state, { ctx: this.ctx, log: this.log })) return true;
    await this.fail(errors.loginEnded());
    return false;
  }

  /** Reply with the error; count it, and close after too many (or when the error says so). */
  private async fail(e: unknown): Promise<void> {
    this.errorCount++;
    const closing = (e instanceof Pop3Error && e.close) || this.errorCount >= this.cfg.maxErrors;
    const err = !(e instanceof Pop3Error && e.close) && closing ? errors.tooManyErrors() : e;
    await this.send([errorLine(err)]);
    if (closing) this.ending = true;
  }

  private send(pieces: readonly (Buffer | string)[]): Promise<void> {
    return this.io.send(pieces, this.idleMs);
  }

  // ---- Conn, for the handlers ----

  ok(text: string): Promise<void> {
    return this.send([text === "" ? "+OK\r\n" : `+OK ${text}\r\n`]);
  }

  multiline(first: string, body: readonly (Buffer | string)[]): Promise<void> {
    return this.send([`+OK ${first}\r\n`, ...body, ".\r\n"]);
  }

  async continuation(challenge: string, maxLength?: number): Promise<string> {
    await this.send([`+ ${challenge}\r\n`]);
    const read = await this.io.readLine(this.idleMs, maxLength);
    if (read.kind === "line") return read.line.toString("utf8");
    if (read.kind === "too-long") throw errors.lineTooLong(maxLength ?? this.cfg.maxLineLength);
    throw new ConnectionGone(`no SASL response: ${read.kind}`);
  }

  async login(username: string, password: string): Promise<void> {
    const result = await this.ctx.auth.authenticate({
      username,
      password,
      ip: this.remoteIp,
      protocol: "pop3",
    });
    return this.enter(result);
  }

  async enter(result: AuthResult): Promise<void> {
    if (!result.ok) throw this.loginFailed(result, { errors, maxAuthFailures: this.cfg.maxAuthFailures });
    const account = result.account;
    // RFC 1939 §8 / RFC 2449 §8.1.1: one session per maildrop at a time.
    // The lock is ctx.locks' (src/store/locks.ts): with several nodes or workers, one they all
    // see, so a second session of the account on another node is refused too.
    const lock = await this.ctx.locks.acquire(maildropLockName(account.id));
    if (!lock) throw errors.inUse();
    try {
      const maildrop = await Maildrop.open(this.ctx, account, {
        sizes: this.shared.sizes,
        maxMessages: this.cfg.maxMessages,
      });
      maildrop.onSeenError = (e) => this.log.warn("could not flag \\Seen", { err: e });
      const login = loginCheck(account, this.ctx.config.auth.sessionRecheckSec, {
        appPassword: result.appPassword,
      });
      this.state = { kind: "transaction", account, maildrop, lock, login };
    } catch (e) {
      await lock.release();
      throw e;
    }
    // issue 18: a logged-in session leaves its IP's pre-login count (pop3.maxConnectionsPerIp), so
    // an office behind one address is not locked out; the maildrop lock above already allows one
    // session per account, so the limiter has no per-account cap and this always succeeds.
    this.slot.login(String(account.id));
    await this.ctx.auth.notePopImapLogin(this.remoteIp);
    this.log.info("login", { user: account.address, messages: this.state.maildrop.count });
  }

  protected override async cleanup(): Promise<void> {
    const state = this.state;
    if (state.kind !== "transaction") return;
    this.state = { kind: "authorization", user: null };
    try {
      await state.maildrop.close();
    } finally {
      await state.lock.release();
    }
  }
}
