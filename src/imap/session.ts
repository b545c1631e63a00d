// One client connection: bytes in through the CommandReader, one command at a time through the
// command table, responses out with backpressure. Invariants:
//  - Commands run strictly in order; at most maxPipelinedCommands wait, then the socket is paused.
//  - A handler never writes faster than the client reads: it awaits drain() between messages.
//  - After STARTTLS nothing received in plaintext is used (RFC 9051 6.2.1).
//  - After COMPRESS (RFC 4978) output goes socket <- deflate, input socket -> inflate -> reader;
//    backpressure then counts what waits in the compressor as well as in the socket.
import type { Socket } from "node:net";
import type { TransformOptions } from "node:stream";
import { TLSSocket } from "node:tls";
import {
  createDeflateRaw,
  createInflateRaw,
  type DeflateRaw,
  type InflateRaw,
  type ZlibOptions,
  constants as zc,
} from "node:zlib";
import { type LoginCheck, loginStillValid, recheckDue } from "../auth/login-recheck.js";
import type { ListenerConfig } from "../config/schema.js";
import { clientAddress } from "../proxy/peer.js";
import type { AppContext } from "../server/context.js";
import { quickAck } from "../server/quick-ack.js";
import type { ConnectionSlot, SessionSet } from "../server/sessions.js";
import { upgradeToTls } from "../server/tls-upgrade.js";
import { capabilities } from "./capabilities.js";
import { type ImapConfig, Session, type SessionIo, type SessionWatcher } from "./commands/context.js";
import { commandTable } from "./commands/index.js";
import type { CommandSpec } from "./commands/types.js";
import type { ConnectionLogger } from "./conn-log.js";
import { toErrorResponse } from "./errors.js";
import { type Command, CommandSyntaxError, parseCommand } from "./wire/command.js";
import {
  CommandReader,
  type Frame,
  type ReaderErrorKind,
  type ReaderLimits,
  type ReaderSink,
} from "./wire/reader.js";

/** The connection a socket (or, under COMPRESS, an inflater) belongs to: its event listeners are
 *  shared functions that find their connection here, rather than closures kept per connection. */
const owners = new WeakMap<object, ImapConnection>();

function onInput(this: object, chunk: Buffer): void {
  const c = owners.get(this);
  if (!c) return;
  // An error thrown here would escape into the socket's event emitter: end this connection only.
  try {
    c.reader.push(chunk);
    // The rest of the command is still to come, often held back by the client's Nagle algorithm
    // until this part is acknowledged (a literal's closing CRLF): acknowledge it now.
    if (c.reader.midCommand) c.ackNow();
  } catch (e) {
    c.fail(e);
  }
}

function onSocketError(this: Socket, e: Error): void {
  owners.get(this)?.log.debug("socket error", { error: String(e) });
}

function onSocketClose(this: Socket): void {
  owners.get(this)?.teardown();
}

export class ImapConnection implements SessionIo, SessionWatcher, ReaderLimits, ReaderSink {
  private socket: Socket;
  /** @internal (onInput) */
  readonly reader: CommandReader;
  /** Frames read ahead of the one running; made on first use (most clients never pipeline). */
  private queue: Frame[] | null = null;
  private waiter: { promise: Promise<Frame | null>; resolve: (f: Frame | null) => void } | null = null;
  private running = false;
  private queuedBytes = 0;
  private paused = false;
  /** Autologout time in tenths of a second on `ticks()` (a small integer: a millisecond timestamp
   *  would be a 16-byte heap number per connection), see armTimer. */
  private deadline = 0;
  /** The end of the login deadline (imap.loginDeadlineSec after connecting), in the same ticks:
   *  commands before login (NOOP) re-arm the idle timer but never move this. */
  private readonly loginBy: number;
  readonly session: Session;
  secure: boolean;
  closed = false;
  readonly remoteAddress: string;
  private deflate: DeflateRaw | null = null;
  private inflate: InflateRaw | null = null;
  // IDLE in progress (RFC 2177): the command's tag, answered at DONE (null: not idling); the report
  // of changes under way; whether another change came during it.
  private idleTag: string | null = null;
  private idleWork: Promise<void> | null = null;
  private idleAgain = false;

  constructor(
    socket: Socket,
    private readonly listener: ListenerConfig,
    private readonly ctx: AppContext,
    private readonly config: ImapConfig,
    readonly log: ConnectionLogger,
    /** The listener's live connections; this one leaves it when closed. */
    private readonly registry: SessionSet<ImapConnection>,
    /** Its place in the listener's connection caps (released by the listener at socket close). */
    private readonly slot: ConnectionSlot,
  ) {
    this.socket = socket;
    this.secure = socket instanceof TLSSocket;
    this.remoteAddress = clientAddress(socket);
    this.session = new Session(ctx, config, this, log);
    this.loginBy = Math.ceil(ticks(Date.now())) + config.loginDeadlineSec * 10;
    this.reader = new CommandReader(this, this);
    this.attach(socket);
  }

  // ReaderLimits, from the config (getters on the prototype: nothing per connection).
  get maxLineBytes(): number {
    return this.config.maxLineBytes;
  }

  get maxLiteralBytes(): number {
    return this.config.maxLiteralBytes;
  }

  get appendLimit(): number {
    return this.config.appendLimit;
  }

  /** @internal (CommandReader) Before login only maxLiteralBytes, not a message-sized APPEND. */
  appendAllowed(): boolean {
    return this.session.state.kind !== "not-authenticated";
  }

  /** @internal (CommandReader) Before login a whole command must fit in preAuthCommandBytes. */
  commandBudget(): number | null {
    return this.session.state.kind === "not-authenticated" ? this.config.preAuthCommandBytes : null;
  }

  /** Octets of complete commands read ahead before the socket is paused: before login no more
   *  than one command's budget, so an anonymous client cannot queue more than that either. */
  private get readAheadBytes(): number {
    return this.session.state.kind === "not-authenticated"
      ? this.config.preAuthCommandBytes
      : this.config.maxLiteralBytes + this.config.maxLineBytes;
  }

  /** @internal (CommandReader) */
  frame(f: Frame): void {
    this.onFrame(f);
  }

  /** @internal (onInput) Acknowledge what was read now, not after the delayed-ACK timer
   *  (server/quick-ack.ts: a client's write held by Nagle waits for that ACK). */
  ackNow(): void {
    quickAck(this.socket);
  }

  /** @internal (CommandReader) */
  continueLiteral(): void {
    this.write("+ Ready for literal data\r\n");
  }

  /** @internal (CommandReader) */
  error(kind: ReaderErrorKind, tag: string | null, command: string | null): void {
    const t = tag ?? "*";
    if (kind === "over-budget") {
      // The reader has stopped; the rest of the command is never read (RFC 9051 7.1.5 BYE).
      this.write(`${t} BAD [TOOBIG] Command too big before login\r\n* BYE Too much data before login\r\n`);
      this.session.close();
      this.end();
    } else if (kind === "line-too-long") this.write(`${t} BAD Command line too long\r\n`);
    else if (command === "APPEND") this.write(`${t} NO [TOOBIG] Message too big\r\n`);
    else this.write(`${t} BAD [TOOBIG] Literal too big\r\n`);
  }

  takeLoginSlot(account: string): boolean {
    return this.slot.login(account);
  }

  get tlsMode(): ListenerConfig["tls"] {
    return this.listener.tls;
  }

  start(): void {
    this.write(`* OK [CAPABILITY ${capabilities(this.session).join(" ")}] Yubin IMAP ready\r\n`);
    this.armTimer();
  }

  private attach(socket: Socket): void {
    owners.set(socket, this);
    socket.on("data", onInput);
    socket.on("error", onSocketError);
    socket.on("close", onSocketClose);
  }

  /** @internal (onInput) A bug in this connection's own code: log it, say goodbye (RFC 9051
   *  7.1.5 BYE) and close this connection; the others go on. */
  fail(e: unknown): void {
    this.log.error("connection failed", { error: String(e), stack: (e as Error)?.stack });
    this.write("* BYE [SERVERBUG] Internal error\r\n");
    this.session.close();
    this.end();
  }

  /** @internal (onSocketClose) */
  teardown(): void {
    if (this.closed) return;
    this.closed = true;
    this.idleTag = null;
    this.session.watch(null);
    this.deflate?.destroy();
    this.inflate?.destroy();
    this.session.close();
    this.waiter?.resolve(null);
    this.waiter = null;
    this.registry.delete(this);
  }

  private corked = false;

  write(data: Buffer | string): void {
    // After end() a compressed stream takes no more (a late autologout BYE is dropped, not an error).
    if (this.closed || this.socket.destroyed || this.deflate?.writableEnded) return;
    // Responses written in one turn of the event loop (a batch of FETCH lines) leave in one
    // TLS record / TCP segment instead of one per line; compressed, in one sync flush.
    if (!this.corked) {
      this.corked = true;
      if (!this.deflate) this.socket.cork();
      setImmediate(() => this.uncork());
    }
    if (this.deflate) this.deflate.write(data);
    else this.socket.write(data);
  }

  private uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    // RFC 4978 4: a sync flush after each batch, so the client can decode what it has.
    if (this.deflate) this.deflate.flush(zc.Z_SYNC_FLUSH);
    else this.socket.uncork();
  }

  get compressed(): boolean {
    return this.deflate !== null;
  }

  /** The stream whose buffer is over the limit, if any: the socket's or the compressor's input. */
  private backedUp(): Socket | DeflateRaw | null {
    const limit = this.config.outputBufferBytes;
    if (this.socket.writableLength > limit) return this.socket;
    if (this.deflate && this.deflate.writableLength > limit) return this.deflate;
    return null;
  }

  drain(): Promise<void> {
    // Handlers call this after every response line: the common case (nothing backed up) costs no
    // async frame, only the await of an already settled promise.
    return this.backedUp() && !this.closed ? this.drainSlowly() : SETTLED;
  }

  private async drainSlowly(): Promise<void> {
    // Each round waits for one 'drain'; the loop ends when neither buffer is over the limit.
    for (let full = this.backedUp(); full && !this.closed; full = this.backedUp()) {
      this.uncork(); // corked data never drains
      const stream = full;
      await new Promise<void>((resolve) => {
        const done = () => {
          stream.off("drain", done);
          this.socket.off("close", done);
          resolve();
        };
        stream.on("drain", done);
        this.socket.on("close", done);
      });
    }
  }

  startCompression(): void {
    this.uncork(); // the tagged OK leaves uncompressed
    // Its writable side drains (emits 'drain') exactly when it has less than the limit queued.
    const opts: ZlibOptions & TransformOptions = { writableHighWaterMark: this.config.outputBufferBytes };
    const deflate = createDeflateRaw(opts);
    const inflate = createInflateRaw();
    const onError = (e: Error) => {
      this.log.info("compression stream failed", { error: String(e) });
      this.socket.destroy();
    };
    deflate.on("error", onError);
    inflate.on("error", onError);
    deflate.pipe(this.socket);
    this.socket.off("data", onInput);
    this.reader.reset();
    this.queue = null;
    this.queuedBytes = 0;
    // pipe() gives backpressure on the way in: pausing the inflater stops reading the socket.
    this.socket.pipe(inflate);
    owners.set(inflate, this);
    inflate.on("data", onInput);
    if (this.paused) inflate.pause();
    this.deflate = deflate;
    this.inflate = inflate;
  }

  /** Where decoded input comes from: paused to stop reading. */
  private get input(): Socket | InflateRaw {
    return this.inflate ?? this.socket;
  }

  /** Ends the connection after what was written has been flushed. */
  end(): void {
    if (this.closed) return;
    if (this.deflate)
      this.deflate.end(); // Z_FINISH, then pipe() ends the socket
    else this.socket.end();
    // A client that never reads must not keep the socket open forever.
    setTimeout(() => this.socket.destroy(), 5000).unref();
  }

  acceptBlankLine(): void {
    this.reader.acceptBlankLine();
  }

  readFrame(): Promise<Frame | null> {
    const f = this.shift();
    if (f) {
      this.maybeResume();
      return Promise.resolve(f);
    }
    if (this.closed) return Promise.resolve(null);
    if (!this.waiter) {
      let resolve!: (f: Frame | null) => void;
      const promise = new Promise<Frame | null>((r) => {
        resolve = r;
      });
      this.waiter = { promise, resolve };
    }
    return this.waiter.promise;
  }

  async startTls(): Promise<void> {
    this.uncork(); // the tagged OK must leave in plaintext, before the handshake
    const plain = this.socket;
    plain.off("data", onInput);
    this.reader.reset();
    this.queue = null;
    this.queuedBytes = 0;
    // A client that never completes the handshake is dropped at the pre-login timeout.
    const timeoutMs = this.config.preAuthTimeoutSec * 1000;
    let secure: TLSSocket;
    try {
      secure = await upgradeToTls(plain, this.ctx.tls.context(), timeoutMs);
    } catch (e) {
      // Only this connection ends (upgradeToTls destroyed both sockets).
      this.log.info("TLS handshake failed", { error: String(e) });
      this.teardown();
      return;
    }
    this.socket = secure;
    this.secure = true;
    this.attach(secure);
  }

  private onFrame(f: Frame): void {
    this.armTimer();
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve(f);
      return;
    }
    this.queue ??= [];
    this.queue.push(f);
    this.queuedBytes += frameSize(f);
    // Bounded read-ahead: by count, and by bytes so big literals cannot pile up either.
    const tooMuch =
      this.queue.length >= this.config.maxPipelinedCommands || this.queuedBytes > this.readAheadBytes;
    if (tooMuch && !this.paused) {
      this.paused = true;
      this.input.pause();
    }
    void this.pump();
  }

  private shift(): Frame | undefined {
    const f = this.queue?.shift();
    if (f) this.queuedBytes -= frameSize(f);
    return f;
  }

  private maybeResume(): void {
    const bytesOk = this.queuedBytes <= this.readAheadBytes / 2;
    if (this.paused && (this.queue?.length ?? 0) < this.config.maxPipelinedCommands / 2 && bytesOk) {
      this.paused = false;
      this.input.resume();
    }
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    // Let the reader finish the current chunk first, so STARTTLS can discard what followed it.
    await null;
    try {
      for (let f = this.shift(); f && !this.closed; f = this.shift()) {
        this.maybeResume();
        try {
          await this.dispatch(f);
          // Idle time counts from the answer; after a login, with the longer idle timeout.
          this.armTimer();
        } catch (e) {
          // dispatch maps every handler error itself; this is a bug, so close rather than go on.
          this.fail(e);
        }
        if (this.session.state.kind === "logout") {
          this.end();
          break;
        }
        // Server shutdown came during that command: its response is complete, now say goodbye.
        if (this.bye === "pending") {
          this.sayBye();
          break;
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** Enters IDLE (commands/idle.ts has sent "+" and the changes so far). */
  idle(tag: string): void {
    this.idleTag = tag;
    this.idleAgain = false;
    this.session.watch(this);
    if (this.session.pending) this.sessionChanged();
  }

  /** @internal (Session, while in IDLE) Reports changes: one report at a time, in order; a change
   *  during a report makes one more report after it. */
  sessionChanged(): void {
    if (this.idleTag === null) return;
    if (this.idleWork) {
      this.idleAgain = true;
      return;
    }
    // A wake-up is when an idling client would be told something: its login is checked first.
    this.idleWork = Promise.resolve(this.loginStands())
      .then((stands) => (stands ? this.session.flushUpdates({ expunges: true }) : undefined))
      .catch((e: unknown) => {
        this.log.error("idle update failed", { error: String(e) });
        this.session.close();
      })
      .then(() => {
        this.idleWork = null;
        if (this.session.state.kind === "logout") {
          this.idleTag = null;
          this.end();
        } else if (this.idleAgain) {
          this.idleAgain = false;
          this.sessionChanged();
        }
      });
  }

  /** The line after IDLE: DONE ends it (RFC 2177 3); anything else is BAD, and ends it too. */
  private async endIdle(frame: Frame, tag: string): Promise<void> {
    this.session.watch(null);
    while (this.idleWork) await this.idleWork;
    this.idleTag = null;
    const text = frame.segments.length === 1 ? frame.segments[0]!.data.toString("latin1") : "";
    const ok = text.toUpperCase() === "DONE";
    try {
      await this.session.flushUpdates({ expunges: true });
    } catch (e) {
      const resp = toErrorResponse(e);
      if (resp.serverFault) this.log.error("command failed", { command: "IDLE", error: String(e) });
    }
    this.write(`${tag} ${ok ? "OK IDLE terminated" : "BAD Expected DONE"}\r\n`);
  }

  /** The account's logins must be checked again (the store's login-change feed, through the
   *  listener): checked now. In IDLE the check is the wake-up's (sessionChanged); between
   *  commands recheckLogin says BYE if the login has ended; during a command the next one checks
   *  (checkAt 0), so a response is never cut by a BYE. */
  loginChanged(accountId: number): void {
    const s = this.session.state;
    if (this.closed || (s.kind !== "authenticated" && s.kind !== "selected") || s.account.id !== accountId)
      return;
    s.account.checkAt = 0;
    if (this.idleTag !== null) this.sessionChanged();
    else if (!this.running) void this.recheckLogin(s.account);
  }

  /**
   * Whether the session's login still stands (issue 18, finding 10): when auth.sessionRecheckSec
   * has passed, the account is read again; a password changed or reset since, a disable or a
   * deletion ends the session with BYE (RFC 9051 7.1.5). Not due: true at once, with no await.
   */
  private loginStands(): boolean | Promise<boolean> {
    const s = this.session.state;
    if (s.kind !== "authenticated" && s.kind !== "selected") return true;
    return recheckDue(s.account) ? this.recheckLogin(s.account) : true;
  }

  private async recheckLogin(login: LoginCheck): Promise<boolean> {
    try {
      if (await loginStillValid(this.ctx.store, login, this.ctx.config.auth.sessionRecheckSec)) return true;
    } catch (e) {
      // The store failed to answer: serve this command, check again before the next one.
      this.log.warn("account recheck failed", { error: String(e) });
      return true;
    }
    if (this.session.state.kind === "logout") return false;
    this.log.info("login ended: password changed or account disabled", { account: login.id });
    this.idleTag = null;
    this.session.watch(null);
    this.write("* BYE [UNAVAILABLE] Credentials changed or account disabled, log in again\r\n");
    this.session.close();
    this.end();
    return false;
  }

  private async dispatch(frame: Frame): Promise<void> {
    const stands = this.loginStands();
    if (stands !== true && !(await stands)) return;
    if (this.idleTag !== null) return this.endIdle(frame, this.idleTag);
    let cmd: Command;
    try {
      cmd = parseCommand(frame, {
        maxDepth: this.config.maxNestingDepth,
        utf8: this.session.utf8,
        maxAppendMessages: this.config.maxAppendMessages,
      });
    } catch (e) {
      if (e instanceof CommandSyntaxError) {
        this.write(`${e.tag ?? "*"} BAD ${e.message}\r\n`);
        return;
      }
      throw e;
    }
    const spec = commandTable[cmd.name] as CommandSpec<typeof cmd.name> | undefined;
    this.ctx.metrics.command("imap", spec ? cmd.name : "UNKNOWN");
    if (!spec) {
      this.write(`${cmd.tag} BAD Unknown command\r\n`);
      return;
    }
    if (!spec.states.includes(this.session.state.kind)) {
      this.write(`${cmd.tag} BAD ${cmd.name} not allowed now\r\n`);
      return;
    }
    // RFC 9051 7.4.1: no EXPUNGE during FETCH, STORE or SEARCH (their UID forms may); SORT and
    // THREAD return sequence numbers like SEARCH (RFC 5256).
    const expunges =
      !(
        cmd.name === "FETCH" ||
        cmd.name === "STORE" ||
        cmd.name === "SEARCH" ||
        cmd.name === "SORT" ||
        cmd.name === "THREAD"
      ) || cmd.uid;
    let line: string;
    let bug = false;
    const state = this.session.state;
    const activity = this.ctx.activity.begin({
      proto: "imap",
      ip: this.remoteAddress,
      conn: this.log.conn,
      command: cmd.name,
      account: state.kind === "authenticated" || state.kind === "selected" ? state.account.id : undefined,
    });
    try {
      const r = await spec.run(cmd as never, this.session);
      if (r?.done) return;
      await this.session.flushUpdates({ expunges });
      line = `${cmd.tag} OK ${r?.code ? `[${r.code}] ` : ""}${r?.text ?? `${cmd.name} completed`}`;
    } catch (e) {
      const resp = toErrorResponse(e);
      bug = resp.serverFault;
      if (bug)
        this.log.error("command failed", { command: cmd.name, error: String(e), stack: (e as Error)?.stack });
      else await this.session.flushUpdates({ expunges }).catch(() => {});
      line = `${cmd.tag} ${resp.status} ${resp.code ? `[${resp.code}] ` : ""}${resp.text}`;
    } finally {
      this.ctx.activity.end(activity);
    }
    this.write(line + "\r\n");
    // A bug (not a typed error): the session's view of the mailbox may be half updated, so the
    // tagged NO [SERVERBUG] is followed by BYE and this connection ends; the others go on.
    if (bug) {
      this.write("* BYE [SERVERBUG] Closing after an internal error\r\n");
      this.session.close();
    }
  }

  /** Autologout (RFC 9051 5.4): only while the client owes us something, not while we work.
   *  A deadline rather than a timer per connection: the listener checks every connection's
   *  deadline a few times a second (checkTimeout), which costs an idle client no timer. */
  private armTimer(): void {
    const now = Math.ceil(ticks(Date.now()));
    this.deadline =
      this.session.state.kind === "not-authenticated"
        ? Math.min(now + this.config.preAuthTimeoutSec * 10, this.loginBy)
        : now + this.config.idleTimeoutSec * 10;
  }

  /** Called by the listener's sweep: autologout once the deadline has passed. */
  checkTimeout(now: number): void {
    if (this.closed) return;
    this.recheckIdleAppPassword(now);
    if (ticks(now) < this.deadline) return;
    if (this.running && !this.waiter) {
      this.armTimer();
      return;
    }
    const late = this.session.state.kind === "not-authenticated" && ticks(now) >= this.loginBy;
    this.write(late ? "* BYE Login took too long\r\n" : "* BYE Autologout; idle for too long\r\n");
    this.session.close();
    this.end();
    this.teardown();
  }

  /** When an IDLE logged in with an app password next checks it (0: not armed). */
  private appPasswordCheckAt = 0;

  /**
   * Issue 15: a phone idles for up to 29 minutes without a word (RFC 2177 3), so its session
   * would notice a revoked app password only at the next mail. While idling after an app-password
   * login it wakes itself every auth.appPasswordIdleRecheckSec (from the listener's sweep, no
   * timer of its own); the wake-up rechecks the login (two primary-key reads) and a revoked one
   * gets BYE, as at a command. Sessions logged in with the account password are not touched.
   */
  private recheckIdleAppPassword(now: number): void {
    const everySec = this.ctx.config.auth.appPasswordIdleRecheckSec;
    const s = this.session.state;
    if (this.idleTag === null || everySec === 0 || now < this.appPasswordCheckAt) return;
    if ((s.kind !== "authenticated" && s.kind !== "selected") || s.account.appPasswordId === undefined)
      return;
    if (this.appPasswordCheckAt !== 0) this.sessionChanged();
    this.appPasswordCheckAt = now + everySec * 1000;
  }

  /** Server shutdown: "pending" while a command runs, "said" once the BYE is written. One field
   *  with constant strings, so it costs an idle connection no more than the boolean it replaced. */
  private bye: "no" | "pending" | "said" = "no";

  /** Server shutdown (closeListener): say goodbye and close; a command under way finishes first,
   *  so its response is never cut by the BYE (RFC 9051 7.1.5). */
  shutdown(): void {
    if (this.bye === "said") return;
    if (this.busy) this.bye = "pending";
    else this.sayBye();
  }

  private sayBye(): void {
    this.bye = "said";
    this.write("* BYE Server shutting down\r\n");
    this.end();
  }

  /** Grace period over (closeListener): close now. */
  abort(): void {
    this.socket.destroy();
  }

  get busy(): boolean {
    return this.running && !this.waiter;
  }
}

const SETTLED: Promise<void> = Promise.resolve();

const STARTED = Date.now();
/** Tenths of a second since this module loaded (a small integer for 3 years of uptime). */
function ticks(now: number): number {
  return (now - STARTED) / 100;
}

function frameSize(f: Frame): number {
  let n = 0;
  for (const s of f.segments) n += s.data.length;
  return n;
}
