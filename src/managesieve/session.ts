import { type LoginCheck, loginCheck, loginStands } from "../auth/login-recheck.js";
import type { AuthResult } from "../auth/types.js";
import { LineSession } from "../server/line-session.js";
import type { SessionOptions } from "../server/session-listener.js";
import { capabilityLines } from "./commands/capability.js";
import { commandTable } from "./commands/index.js";
import type { Conn, ManageSieveConfig } from "./commands/types.js";
import { errorResponse, errors, type SieveProtocolError, sieveErrorOf } from "./errors.js";
import { ConnectionGone, SieveIo } from "./io.js";
import type { SessionState } from "./state.js";
import { type Arg, type Command, scanLine, textOf, toCommand } from "./wire/command.js";
import { type ResponseCode, responseLine } from "./wire/response.js";

export type { SessionOptions } from "../server/session-listener.js";

/** Most literals in one command: PUTSCRIPT and RENAMESCRIPT have two strings, AUTHENTICATE two. */
const MAX_LITERALS = 4;

type CommandRead =
  | { kind: "command"; args: Arg[] }
  | { kind: "error"; error: SieveProtocolError }
  | { kind: "end"; why: "closed" | "timeout" | "interrupted" };

export class Session extends LineSession<SieveIo> implements Conn {
  readonly cfg: ManageSieveConfig;
  state: SessionState = { kind: "nonauth" };
  private errorCount = 0;

  constructor(opts: SessionOptions) {
    const cfg = opts.ctx.config.managesieve;
    // Login must succeed by managesieve.loginDeadlineSec after connecting or after UNAUTHENTICATE:
    // a client sending CAPABILITY every few seconds never extends it.
    super(opts, { name: "managesieve", clocks: cfg, io: (s) => new SieveIo(s, cfg.maxLineLength) });
    this.cfg = cfg;
  }

  get offersStartTls(): boolean {
    return this.listener.tls === "starttls" && !this.secure && this.state.kind === "nonauth";
  }

  get plaintextAuthAllowed(): boolean {
    return this.secure || this.cfg.allowPlaintextAuth;
  }

  protected get loggedIn(): boolean {
    return this.state.kind === "auth";
  }

  protected get loginKept(): LoginCheck | null {
    return this.state.kind === "auth" ? this.state.login : null;
  }

  protected async greet(): Promise<void> {
    // RFC 5804 §1.7: the server greets with its capabilities and OK.
    await this.send(capabilityLines(this, this.state));
    await this.ok("Yubin ManageSieve ready");
  }

  private async bye(text: string, code?: ResponseCode): Promise<void> {
    await this.send([responseLine("BYE", code === undefined ? { text } : { code, text })]);
  }

  protected async loop(): Promise<void> {
    while (!this.ending) {
      if (this.loginLate()) return this.bye("login took too long, closing connection");
      const read = await this.readCommand();
      if (read.kind === "end") {
        if (read.why === "closed") return;
        // The account was disabled or its password changed meanwhile (LineSession.loginChanged).
        if (read.why === "interrupted" && this.loginGone)
          return this.bye("credentials changed or account disabled, closing connection");
        if (read.why === "interrupted") return this.bye("server shutting down, try again later", "TRYLATER");
        if (this.loginLate(true)) return this.bye("login took too long, closing connection");
        return this.bye("idle too long, closing connection");
      }
      if (read.kind === "error") {
        await this.fail(read.error);
        continue;
      }
      if (read.args.length === 0) continue; // an empty line: nothing to answer
      const cmd = toCommand(read.args);
      if (!cmd) {
        await this.fail(errors.badInput("a command starts with its name"));
        continue;
      }
      await this.dispatch(cmd);
    }
  }

  /**
   * One whole command: a line, and when it ends with a literal ({n+} or {n}, RFC 5804 §4), the
   * literal's octets and the line that follows, and so on. Literals are bounded by the state:
   * [sieve] maxScriptBytes after login, managesieve.maxPreAuthLiteralBytes before.
   */
  private async readCommand(): Promise<CommandRead> {
    const args: Arg[] = [];
    let refused: SieveProtocolError | null = null;
    for (let literals = 0; ; literals++) {
      const line = await this.io.readLine(this.idleMs);
      if (line.kind === "too-long")
        return { kind: "error", error: errors.lineTooLong(this.cfg.maxLineLength) };
      if (line.kind !== "line") return { kind: "end", why: line.kind };
      const scan = scanLine(line.line);
      if (!scan.ok) {
        // The rest of the line is unknown, so a literal it may have announced is too: end here.
        return { kind: "error", error: errors.badInput(scan.error) };
      }
      args.push(...scan.args);
      if (!scan.literal) return refused ? { kind: "error", error: refused } : { kind: "command", args };
      if (literals >= MAX_LITERALS) return { kind: "error", error: errors.literalTooLarge() };
      const size = scan.literal.size;
      const authed = this.state.kind === "auth";
      const limit = authed ? this.ctx.config.sieve.maxScriptBytes : this.cfg.maxPreAuthLiteralBytes;
      if (size > limit) {
        if (!authed || size > this.cfg.maxDiscardBytes)
          return { kind: "error", error: errors.literalTooLarge() };
        // The client sends a {n+} literal without waiting: read it and drop it, then refuse.
        const gone = await this.io.skipBytes(size, () => this.idleMs);
        if (gone) return { kind: "end", why: gone };
        refused = errors.tooBig(this.ctx.config.sieve.maxScriptBytes);
        args.push({ kind: "string", value: Buffer.alloc(0) });
        continue;
      }
      const bytes = await this.io.readBytes(size, () => this.idleMs);
      if (bytes.kind !== "bytes") return { kind: "end", why: bytes.kind };
      args.push({ kind: "string", value: bytes.bytes });
    }
  }

  private async dispatch(cmd: Command): Promise<void> {
    if (!(await this.loginStands())) return;
    const spec = commandTable[cmd.name];
    const state = this.state;
    await this.runCommand({
      name: cmd.name,
      account: state.kind === "auth" ? state.account.address : undefined,
      state: state.kind,
      run: async () => {
        if (!spec) throw errors.unknownCommand(cmd.name);
        if (!spec.states.includes(state.kind)) throw errors.wrongState(cmd.name, state.kind === "auth");
        await spec.run(this, cmd, state);
      },
      fail: (e) => this.fail(sieveErrorOf(e)),
    });
  }

  /** After a password change or reset, a disable or a deletion the session ends with BYE before
   *  the command runs (issue 18: as IMAP and POP3 do; auth/login-recheck.ts). */
  private async loginStands(): Promise<boolean> {
    const state = this.state;
    if (state.kind !== "auth") return true;
    if (await loginStands(state, { ctx: this.ctx, log: this.log })) return true;
    await this.fail(errors.loginEnded());
    return false;
  }

  /** Respond with the error; count it, and BYE after too many (or when the error says so). */
  private async fail(e: SieveProtocolError): Promise<void> {
    this.errorCount++;
    const closing = e.close || this.errorCount >= this.cfg.maxErrors;
    await this.send([errorResponse(!e.close && closing ? errors.tooManyErrors() : e)]);
    if (closing) this.ending = true;
  }

  // ---- Conn, for the handlers ----

  send(pieces: readonly (Buffer | string)[]): Promise<void> {
    return this.io.send(pieces, this.idleMs);
  }

  ok(text?: string, code?: ResponseCode): Promise<void> {
    const opts: { code?: ResponseCode; text?: string } = {};
    if (code !== undefined) opts.code = code;
    if (text !== undefined) opts.text = text;
    return this.send([responseLine("OK", opts)]);
  }

  async saslRound(challengeB64: string): Promise<string> {
    await this.send([`"${challengeB64}"\r\n`]);
    const read = await this.readCommand();
    if (read.kind === "end") throw new ConnectionGone(`no SASL response: ${read.why}`);
    if (read.kind === "error") throw read.error.close ? read.error : errors.badSasl();
    const [only, extra] = read.args;
    const text = textOf(only);
    if (text === null || extra !== undefined) throw errors.badSasl();
    if (text === "*") throw errors.authCancelled();
    return text;
  }

  async enter(result: AuthResult): Promise<void> {
    if (!result.ok) throw this.loginFailed(result, { errors, maxAuthFailures: this.cfg.maxAuthFailures });
    const account = result.account;
    // issue 18: a logged-in session leaves its IP's pre-login count for its account's.
    if (!this.slot.login(String(account.id))) throw errors.tooManyConnections();
    const login = loginCheck(account, this.ctx.config.auth.sessionRecheckSec, {
      appPassword: result.appPassword,
    });
    this.state = { kind: "auth", account, login };
    this.log.info("login", { user: account.address });
  }

  leave(): void {
    this.state = { kind: "nonauth" };
    this.deadline.restart();
  }
}
