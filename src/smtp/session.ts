// One SMTP connection: reads command lines, dispatches them to the handler table, and turns
// typed errors into replies (replies.ts). Commands are handled strictly in order, so a
// pipelined group (RFC 2920) gets its replies in order, written together when input runs dry.
//
// Invariants:
//  - Nothing is read in the wrong mode: DATA, BDAT and SASL exchanges pull their own input.
//  - After STARTTLS, buffered plaintext is discarded and the session starts over (RFC 3207 §4.2).
//  - "250" after DATA/BDAT is sent only once the store has durably accepted the message.

import { loginStillValid, recheckDue, recheckNow } from "../auth/login-recheck.js";
import type { ListenerConfig } from "../config/schema.js";
import { type ConnectionScreen, screenConnection } from "../dnsbl/index.js";
import { FieldsLogger } from "../log/fields-logger.js";
import type { Logger } from "../log/logger.js";
import type { RejectReason } from "../metrics/events.js";
import { maxBearerResponseLength } from "../oauth/sasl.js";
import type { AppContext } from "../server/context.js";
import type { SessionOptions } from "../server/session-listener.js";
import { type ConnectionSlot, normalizeIp } from "../server/sessions.js";
import { type TlsInfo, tlsInfo, upgradeToTls } from "../server/tls-upgrade.js";
import { QuotaError, StoreError } from "../store/errors.js";
import { commandTable } from "./commands/index.js";
import { SmtpError, type SmtpErrorKind } from "./errors.js";
import { nextId } from "./ids.js";
import { SmtpIo, type WaitEnd } from "./io.js";
import { errorReply, replies } from "./replies.js";
import type { Identity, SessionState } from "./state.js";
import { parseCommandLine } from "./wire/command.js";
import type { Reply } from "./wire/reply.js";

export type SmtpConfig = AppContext["config"]["smtp"];

export type { SessionOptions } from "../server/session-listener.js";

export class Session {
  readonly id = nextId();
  readonly ctx: AppContext;
  readonly cfg: SmtpConfig;
  readonly listener: ListenerConfig;
  readonly remoteIp: string;
  readonly slot: ConnectionSlot;
  readonly io: SmtpIo;
  readonly log: Logger;
  state: SessionState = { phase: "connected" };
  identity: Identity = { kind: "anonymous" };
  tls: TlsInfo | null = null;
  /** Port 25's DNS-list and postscreen-style checks (src/dnsbl); null elsewhere and for trusted
   *  networks. Read at HELO/EHLO, MAIL and RCPT, and its result goes with each message. */
  screen: ConnectionScreen | null = null;
  private errors = 0;
  private messages = 0;
  private ending = false;
  private stopping = false;
  private expired = false;
  /** The login was found ended while waiting for a command (loginChanged). */
  private loginGone = false;
  private waitingForCommand = false;
  /** Commands that did nothing or failed since the session began or last accepted a message. */
  private junk = 0;
  /** Submission: AUTH must succeed by then (smtp.submissionLoginDeadlineSec after connecting);
   *  commands before it never move it (issue 18: NOOP kept anonymous connections open). */
  private readonly loginBy: number;

  constructor(opts: SessionOptions) {
    this.ctx = opts.ctx;
    this.cfg = opts.ctx.config.smtp;
    this.listener = opts.listener;
    this.remoteIp = opts.remoteIp;
    this.slot = opts.slot;
    this.io = new SmtpIo(opts.socket);
    this.log = FieldsLogger.of(opts.ctx.log, {
      proto: opts.listener.protocol,
      conn: this.id,
      ip: opts.remoteIp,
    });
    this.loginBy = Date.now() + this.cfg.submissionLoginDeadlineSec * 1000;
  }

  get hostname(): string {
    return this.ctx.config.server.hostname;
  }

  /** Submission (RFC 6409): AUTH required before MAIL; inbound MX: no AUTH, local recipients only. */
  get isSubmission(): boolean {
    return this.listener.protocol === "submission";
  }

  get offersStartTls(): boolean {
    if (this.tls) return false;
    if (this.listener.tls === "starttls") return true;
    return this.listener.tls === "none" && !this.isSubmission && this.cfg.inboundStartTls;
  }

  /** AUTH is offered on submission listeners, over TLS, or in clear only where plaintextAuth allows. */
  get authAllowed(): boolean {
    if (!this.isSubmission) return false;
    if (this.tls) return true;
    if (this.cfg.plaintextAuth === "always") return true;
    return this.cfg.plaintextAuth === "loopback" && isLoopback(this.remoteIp);
  }

  /** Longest command line: smtp.maxLineLength, except before AUTH where OAuth tokens may log in:
   *  an AUTH line carrying one as its initial response (nodemailer sends it so) is longer, and
   *  RFC 4954 §4 has servers handle the longest response of the mechanisms they offer. */
  private get commandLineLimit(): number {
    const oauth = this.ctx.config.oauth;
    if (oauth.issuer === "" || !this.authAllowed || this.identity.kind === "account")
      return this.cfg.maxLineLength;
    return Math.max(this.cfg.maxLineLength, maxBearerResponseLength(oauth.maxTokenBytes) + 32);
  }

  /** Run the session to its end; never throws. */
  async run(): Promise<void> {
    const lifetime = setTimeout(() => {
      this.expired = true;
      this.io.interrupt();
    }, this.cfg.maxSessionSec * 1000);
    try {
      if (this.listener.tls === "implicit" && !(await this.startTls())) return;
      await this.startScreen();
      this.send(replies.greeting(this.hostname));
      while (!this.ending) {
        if (this.stopping) {
          this.send(replies.shuttingDown());
          break;
        }
        // Checked before each command too: a client sending a steady stream is never idle.
        if (this.loginLate()) {
          this.end(replies.loginTooLate());
          break;
        }
        this.waitingForCommand = true;
        const waitMs = this.commandWaitMs();
        // A wait cut short by the login deadline that times out ends at the deadline, even when
        // the timer fires a millisecond before Date.now() reaches it (timers round).
        const untilLoginDeadline = waitMs < this.cfg.commandTimeoutSec * 1000;
        const got = await this.io.readLine(this.commandLineLimit, waitMs);
        this.waitingForCommand = false;
        if (got.kind === "line") {
          if (got.bareLf) this.screen?.bareNewline(); // port 25: a protocol violation, scored
          await this.dispatch(got.line);
        } else if (got.kind === "too-long") {
          this.send(errorReply("line-too-long"));
          this.countJunk();
        } else if (got.kind === "timeout" && (untilLoginDeadline || this.loginLate()))
          this.end(replies.loginTooLate());
        else this.endOnWait(got.kind);
        if (this.errors >= this.cfg.maxErrors && !this.ending) {
          this.log.warn("too many errors", { errors: this.errors });
          this.end(replies.tooManyErrors());
        }
      }
    } catch (e) {
      // The session's own code failed outside a command: tell the client to come back (451 4.3.0,
      // RFC 5321 4.2.5) and close this connection only.
      this.log.error("session failed", { err: e as Error, stack: (e as Error)?.stack });
      this.send(errorReply("temporary"));
    } finally {
      clearTimeout(lifetime);
      await this.io.close();
      this.log.debug("disconnected", { messages: this.messages });
    }
  }

  /** The account's logins must be checked again (the store's login-change feed, through the
   *  listener): a session logged in to it checks now and, if its login has ended, a session
   *  waiting for a command gets 421 at once (RFC 5321 3.8); one in DATA is refused at its next
   *  command, as before (checkAt 0). */
  loginChanged(accountId: number): void {
    const id = this.identity;
    if (id.kind !== "account" || id.login.id !== accountId || this.loginGone) return;
    recheckNow(this.ctx.store, id.login, {
      intervalSec: this.ctx.config.auth.sessionRecheckSec,
      log: this.log,
      ended: () => {
        if (this.loginGone || this.identity !== id) return;
        this.loginGone = true;
        if (this.waitingForCommand) this.io.interrupt();
      },
    });
  }

  /** Server shutdown: a session waiting for a command is told 421 now; one in DATA finishes first. */
  shutdown(): void {
    this.stopping = true;
    if (this.waitingForCommand) this.io.interrupt();
  }

  abort(): void {
    this.io.destroy();
  }

  send(r: Reply): void {
    if (r.code >= 400 && r.code !== 421) this.errors++;
    this.io.send(r);
  }

  /** End the session after the replies queued so far (and `r`, if given). */
  end(r?: Reply): void {
    if (r) this.send(r);
    this.ending = true;
  }

  /** A read inside a command (DATA, BDAT, SASL) did not complete: end the session accordingly. */
  endOnWait(why: WaitEnd): void {
    if (why === "timeout") this.end(replies.timeout());
    else if (why === "interrupted" && this.loginGone) {
      this.log.info("login ended: password changed or account disabled");
      this.end(replies.loginEnded());
    } else if (why === "interrupted")
      this.end(this.expired ? replies.sessionTooLong() : replies.shuttingDown());
    else this.end();
  }

  /** Back to "between transactions" (RSET, end of DATA/BDAT, HELO/EHLO keep their own). */
  resetTransaction(): void {
    if (this.state.phase === "mail") this.state = { phase: "ready", helo: this.state.helo };
  }

  noteMessage(): void {
    this.messages++;
    // As Postfix does: a client that delivers is not idling, so its junk count starts over
    // (clients reusing one connection send RSET before each message).
    this.junk = 0;
  }

  /** Port 25: start the list lookups (src/dnsbl) and, with dnsbl.greetPauseMs, watch for a client
   *  that talks before the greeting (RFC 5321 §3.1); the lookups themselves never delay it. */
  private async startScreen(): Promise<void> {
    if (this.listener.protocol !== "smtp") return;
    this.screen = screenConnection(this.ctx, this.remoteIp, this.log);
    const pause = this.ctx.config.dnsbl.greetPauseMs;
    if (this.screen && (this.io.pendingInput > 0 || (pause > 0 && (await this.io.talksWithin(pause)))))
      this.screen.pregreet();
  }

  /** Our address on this connection (a HELO claiming it is claiming to be us). */
  get localIp(): string {
    return normalizeIp(this.io.remoteSocket.localAddress ?? "");
  }

  /** Submission, not yet authenticated, at or past the login deadline. */
  private loginLate(): boolean {
    return this.isSubmission && this.identity.kind === "anonymous" && Date.now() >= this.loginBy;
  }

  /** How long to wait for the next command: commandTimeoutSec, and before AUTH on submission no
   *  later than the login deadline. */
  private commandWaitMs(): number {
    const ms = this.cfg.commandTimeoutSec * 1000;
    if (!this.isSubmission || this.identity.kind !== "anonymous") return ms;
    return Math.max(0, Math.min(ms, this.loginBy - Date.now()));
  }

  /**
   * One more command that did nothing (NOOP, VRFY, EXPN, HELP, RSET) or failed: past
   * smtp.maxJunkCommands the session ends with 421 (Postfix's smtpd_junk_command_limit), so a
   * client cannot hold a connection for maxSessionSec with NOOPs. True when it ended.
   */
  private countJunk(): boolean {
    if (++this.junk <= this.cfg.maxJunkCommands || this.ending) return false;
    this.log.warn("too many junk commands", { junk: this.junk });
    this.end(replies.tooManyJunkCommands(this.hostname));
    return true;
  }

  /**
   * Whether an authenticated session's login still stands (issue 18, finding 10): every
   * auth.sessionRecheckSec the account is read again, and after a password change or reset, a
   * disable or a deletion the session ends with 421 before the command runs.
   */
  private async loginStands(): Promise<boolean> {
    const id = this.identity;
    if (id.kind !== "account" || !recheckDue(id.login)) return true;
    try {
      const recheckSec = this.ctx.config.auth.sessionRecheckSec;
      if (await loginStillValid(this.ctx.store, id.login, recheckSec)) return true;
    } catch (e) {
      // The store failed to answer: serve this command, check again before the next one.
      this.log.warn("account recheck failed", { err: e as Error });
      return true;
    }
    this.log.info("login ended: password changed or account disabled", { user: id.account.address });
    this.end(replies.loginEnded());
    return false;
  }

  /** TLS handshake on the current socket (implicit TLS, or after the STARTTLS 220). */
  async startTls(): Promise<boolean> {
    const raw = this.io.detach(); // drops any plaintext pipelined after STARTTLS
    try {
      const secure = await upgradeToTls(raw, this.ctx.tls.context(), this.cfg.commandTimeoutSec * 1000);
      this.io.attach(secure);
      this.tls = tlsInfo(secure);
    } catch (e) {
      // Only this connection ends (upgradeToTls destroyed both sockets).
      this.log.info("TLS handshake failed", { err: e as Error });
      this.ending = true;
      return false;
    }
    // RFC 3207 §4.2: forget everything learned before TLS, including any EHLO and AUTH.
    this.state = { phase: "connected" };
    this.identity = { kind: "anonymous" };
    return true;
  }

  private async dispatch(line: Buffer): Promise<void> {
    const parsed = parseCommandLine(line);
    if (!parsed.ok) {
      if (!this.countJunk()) this.send(errorReply("unknown-command", parsed.reason));
      return;
    }
    const spec = commandTable[parsed.command.verb];
    this.ctx.metrics.command(this.listener.protocol, spec ? parsed.command.verb : "UNKNOWN");
    if (!spec) {
      if (!this.countJunk()) this.send(errorReply("unknown-command"));
      return;
    }
    if (!(await this.loginStands())) return;
    // Commands that do nothing count before they run: the one past the limit gets only the 421.
    const junkVerb = JUNK_VERBS.has(parsed.command.verb);
    if (junkVerb && this.countJunk()) return;
    const errorsBefore = this.errors;
    const activity = this.ctx.activity.begin({
      proto: this.listener.protocol,
      ip: this.remoteIp,
      conn: this.id,
      command: parsed.command.verb,
      account: this.identity.kind === "account" ? this.identity.account.address : undefined,
    });
    try {
      const state = this.state;
      // The table's phases (commands/index.ts), checked here so no handler runs out of order.
      if (!spec.states.includes(state.phase))
        throw new SmtpError("bad-sequence", spec.outOfSequence[state.phase]);
      await spec.run(this, parsed.command.arg, state);
    } catch (e) {
      this.send(this.replyForError(e, parsed.command.verb));
    } finally {
      this.ctx.activity.end(activity);
    }
    // A failed command counts after its reply (the errors counter saw its 4xx/5xx).
    if (!junkVerb && this.errors > errorsBefore) this.countJunk();
  }

  private replyForError(e: unknown, verb: string): Reply {
    if (e instanceof SmtpError) {
      // SMTP's own refusals of a recipient; the post office counts those it makes itself.
      const reason = REFUSALS[e.kind];
      if (reason) this.ctx.metrics.messageRejected(this.isSubmission ? "submission" : "inbound", reason);
      return errorReply(e.kind, e.detail);
    }
    if (e instanceof QuotaError) return errorReply("mailbox-full");
    // The database is down (PostgreSQL restarting): nothing of this command was committed, the
    // session's state is intact (DATA and BDAT ended their transaction before storing), so the
    // connection stays usable and the client retries (RFC 5321 4.2.5: 451 after DATA means the
    // message was not taken).
    if (e instanceof StoreError && e.code === "unavailable") {
      this.log.warn("store unavailable", { cmd: verb, err: e.message });
      // RFC 4954 6: a login that could not be checked is 454 4.7.0, "temporary authentication
      // failure", not a wrong password.
      return errorReply(verb === "AUTH" ? "auth-temporary" : "store-unavailable");
    }
    // A bug, not a client fault: this connection's state (and, inside DATA or BDAT, where its
    // input stands) is unknown now, so it ends after the 451; every other connection goes on.
    this.log.error("command failed", { err: e as Error, stack: (e as Error)?.stack, cmd: verb });
    this.ending = true;
    return errorReply("temporary");
  }
}

/** The refusals of a recipient or sender counted as rejected mail (/metrics), by reason. */
const REFUSALS: Partial<Record<SmtpErrorKind, RejectReason>> = {
  screened: "dnsbl",
  greylisted: "greylist",
  "unknown-user": "policy",
  "relay-denied": "policy",
  "mailbox-disabled": "policy",
  "mailbox-full": "policy",
  "sender-denied": "policy",
  "author-denied": "policy",
  "too-big": "policy",
};

/** Commands that change nothing a message needs (Postfix counts NOOP, VRFY, ETRN and RSET). */
const JUNK_VERBS: ReadonlySet<string> = new Set(["NOOP", "VRFY", "EXPN", "HELP", "RSET"]);

function isLoopback(ip: string): boolean {
  return ip === "::1" || ip.startsWith("127.");
}
