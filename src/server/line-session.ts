// What a POP3 and a ManageSieve connection share: who is connected (id, logger, place in the
// listener's caps), the line I/O, the clocks (before login the idle timeout and the login
// deadline, login-deadline.ts; after it the idle timeout alone), TLS (implicit, or after STLS /
// STARTTLS), and the run that greets, serves commands until the end, then always cleans up and
// closes. Each protocol brings its greeting, its command loop, its goodbyes and its states.
import { randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import { type LoginCheck, recheckNow } from "../auth/login-recheck.js";
import type { AuthResult } from "../auth/types.js";
import type { ListenerConfig } from "../config/schema.js";
import type { Logger } from "../log/logger.js";
import { StoreError } from "../store/errors.js";
import type { AppContext } from "./context.js";
import { ConnectionGone, type LineIo } from "./line-io.js";
import { LoginDeadline } from "./login-deadline.js";
import { ProtocolError } from "./protocol-error.js";
import type { SessionOptions } from "./session-listener.js";
import type { ConnectionSlot } from "./sessions.js";

/** A protocol's config keys for the clocks. */
export interface SessionClocks {
  /** Idle limit once logged in. */
  idleTimeoutSec: number;
  /** Idle limit before login. */
  loginTimeoutSec: number;
  /** Login must succeed within this from connecting (a command never extends it). */
  loginDeadlineSec: number;
  tlsHandshakeTimeoutSec: number;
}

export abstract class LineSession<I extends LineIo = LineIo> {
  readonly id = randomBytes(6).toString("hex").toUpperCase();
  readonly ctx: AppContext;
  readonly log: Logger;
  readonly remoteIp: string;
  readonly slot: ConnectionSlot;
  readonly listener: ListenerConfig;
  /** TLS is active (implicit, or after STLS / STARTTLS). */
  secure = false;
  protected readonly io: I;
  /** End the session once the current reply is sent. */
  protected ending = false;
  protected readonly deadline: LoginDeadline;
  private readonly clocks: SessionClocks;
  private readonly proto: string;
  private authFailures = 0;

  constructor(opts: SessionOptions, proto: { name: string; clocks: SessionClocks; io: (s: Socket) => I }) {
    this.ctx = opts.ctx;
    this.listener = opts.listener;
    this.remoteIp = opts.remoteIp;
    this.slot = opts.slot;
    this.clocks = proto.clocks;
    this.proto = proto.name;
    this.io = proto.io(opts.socket);
    this.log = opts.ctx.log.child({ proto: proto.name, conn: this.id, ip: opts.remoteIp });
    this.deadline = new LoginDeadline(proto.clocks.loginDeadlineSec);
  }

  /** Logged in: the idle timeout alone counts. */
  protected abstract get loggedIn(): boolean;
  /** The login a logged-in session keeps (its state's), else null. */
  protected abstract get loginKept(): LoginCheck | null;
  /** The login was found ended while the session waited (loginChanged): the wait is interrupted,
   *  and the protocol says so instead of "shutting down". */
  protected loginGone = false;
  /** The greeting, after implicit TLS. */
  protected abstract greet(): Promise<void>;
  /** Commands until the session ends (return) or the client is gone (ConnectionGone). */
  protected abstract loop(): Promise<void>;
  /** However the session ended, before the socket closes (release locks). */
  protected async cleanup(): Promise<void> {}

  /** How long the next read or write may wait for the client. */
  protected get idleMs(): number {
    if (this.loggedIn) return this.clocks.idleTimeoutSec * 1000;
    return this.deadline.waitMs(this.clocks.loginTimeoutSec * 1000);
  }

  /** Still not logged in at the login deadline (afterTimeout: a read just timed out). */
  protected loginLate(afterTimeout = false): boolean {
    return !this.loggedIn && this.deadline.passed(afterTimeout);
  }

  async run(): Promise<void> {
    try {
      if (this.listener.tls === "implicit") await this.startTls();
      await this.greet();
      await this.loop();
    } catch (e) {
      if (!(e instanceof ConnectionGone)) this.log.debug("session ended", { err: e });
    } finally {
      await this.cleanup();
      await this.io.close().catch(() => {});
      this.log.debug("disconnected");
    }
  }

  /**
   * One command, logged and shown in the activity list while it runs (server/activity.ts). A
   * throw is answered by `fail`, except ConnectionGone (nobody is left to answer), and is logged
   * as an error unless it is a protocol error that is the client's fault: anything else is a
   * server failure or a bug, after which the protocol decides whether the session can go on.
   */
  protected async runCommand(o: {
    name: string;
    /** The logged-in account's address. */
    account: string | undefined;
    state: string;
    run: () => Promise<void>;
    fail: (e: unknown) => Promise<void>;
  }): Promise<void> {
    this.log.debug("command", { cmd: o.name, state: o.state });
    this.ctx.metrics.command(this.listener.protocol, o.name);
    const activity = this.ctx.activity.begin({
      proto: this.proto,
      ip: this.remoteIp,
      conn: this.id,
      command: o.name,
      account: o.account,
    });
    try {
      await o.run();
    } catch (e) {
      if (e instanceof ConnectionGone) throw e;
      // The database is down: an outage the operator sees once in the store's log, not a bug.
      if (e instanceof StoreError && e.code === "unavailable")
        this.log.warn("store unavailable", { cmd: o.name, err: e.message });
      else if (!(e instanceof ProtocolError) || e.opts.fault === "server")
        this.log.error("command failed", { cmd: o.name, err: e, stack: (e as Error)?.stack });
      await o.fail(e);
    } finally {
      this.ctx.activity.end(activity);
    }
  }

  /**
   * The error for a failed login, counted: the throttle's, "use an app password", or invalid
   * credentials (a disabled account gets that too, auth/service.ts: a right password must not
   * show). The maxAuthFailures-th closes the connection.
   */
  protected loginFailed<E extends ProtocolError<unknown>>(
    result: Extract<AuthResult, { ok: false }>,
    o: {
      errors: { throttled(retryAfterMs?: number): E; appPasswordRequired(): E; invalidLogin(): E };
      maxAuthFailures: number;
    },
  ): E {
    this.authFailures++;
    const err =
      result.reason === "throttled"
        ? o.errors.throttled(result.retryAfterMs)
        : result.reason === "app-password-required"
          ? o.errors.appPasswordRequired()
          : o.errors.invalidLogin();
    return this.authFailures >= o.maxAuthFailures ? err.closing() : err;
  }

  /** The account's logins must be checked again (the store's login-change feed, through the
   *  listener): checked now, and a session whose login has ended stops waiting for its client
   *  (idle or between commands), finishes a command it is running, and says goodbye. */
  loginChanged(accountId: number): void {
    const login = this.loginKept;
    if (!login || login.id !== accountId || this.loginGone) return;
    recheckNow(this.ctx.store, login, {
      intervalSec: this.ctx.config.auth.sessionRecheckSec,
      log: this.log,
      ended: () => {
        if (this.loginGone) return;
        this.loginGone = true;
        this.log.info("login ended: password changed or account disabled");
        this.io.interrupt();
      },
    });
  }

  /** Server shutdown: finish the current command, then say goodbye at the next read. */
  shutdown(): void {
    this.io.interrupt();
  }

  abort(): void {
    this.io.destroy();
  }

  /** TLS on this connection (implicit TLS, or after STLS's +OK / STARTTLS's OK): plaintext the
   *  client pipelined is dropped (RFC 2595 4, RFC 5804 2.2); a failed handshake ends only this
   *  session. */
  async startTls(): Promise<void> {
    const timeoutMs = this.clocks.tlsHandshakeTimeoutSec * 1000;
    await this.io.startTls({ context: this.ctx.tls.context(), timeoutMs, log: this.log });
    this.secure = true;
  }

  /** End the session once this command's reply is sent. */
  endAfterReply(): void {
    this.ending = true;
  }
}
