// What a command handler works with: the session state, the app context, and output that waits
// for slow clients. Mailbox changes made elsewhere arrive through the notifier and are turned into
// untagged EXISTS / EXPUNGE / FETCH FLAGS by flushUpdates() at the points the RFC allows.
import { loginCheck } from "../../auth/login-recheck.js";
import type { SectionValue } from "../../config/dsl.js";
import type { Logger } from "../../log/logger.js";
import type { AppContext } from "../../server/context.js";
import { StoreError } from "../../store/errors.js";
import type { MailEvent, MailListener } from "../../store/notifier.js";
import type { Account, AppPassword } from "../../store/types.js";
import type { imapSection } from "../config.js";
import { no } from "../errors.js";
import {
  addRecent,
  deferredExpunges,
  recentCount,
  type SelectedMailbox,
  type SessionAccount,
  type SessionState,
  shownFlags,
  withKeywords,
} from "../state.js";
import type { Frame } from "../wire/reader.js";
import { formatSet } from "../wire/sequence.js";
import { encodeItems, type Item } from "../wire/writer.js";
import { SYSTEM_FLAGS } from "./mailbox-common.js";

export type ImapConfig = SectionValue<typeof imapSection>;

/** The connection side a session needs; implemented by ../session.ts. */
export interface SessionIo {
  write(data: Buffer | string): void;
  /** Resolves once the client has read enough of what was written. */
  drain(): Promise<void>;
  /** The next frame the client sends (AUTHENTICATE responses, IDLE's DONE); null on disconnect. */
  readFrame(): Promise<Frame | null>;
  /** The next line the client sends is delivered even if empty (an empty SASL response); call
   *  before sending the continuation that asks for it. */
  acceptBlankLine(): void;
  startTls(): Promise<void>;
  /** From the next byte on, both directions are raw DEFLATE (RFC 4978). */
  startCompression(): void;
  /** IDLE (RFC 2177) after its "+": the connection reports changes as they come and answers
   *  DONE with this tag, with no command left pending meanwhile. */
  idle(tag: string): void;
  readonly compressed: boolean;
  readonly secure: boolean;
  readonly tlsMode: "none" | "starttls" | "implicit";
  readonly remoteAddress: string;
  readonly closed: boolean;
  /** After a successful authentication: moves the connection from its IP's pre-login count to
   *  the account's count from that IP; false when the account is at imap.maxConnectionsPerUserIp
   *  there (ConnectionLimiter in server/sessions.ts). */
  takeLoginSlot(account: string): boolean;
}

/** A session's ENABLEd extensions: a handful at most, in an array made on first use (an empty
 *  Set costs ~200 bytes, and every idle client would keep one). */
export class Enabled {
  private names: string[] | null = null;

  has(name: string): boolean {
    return this.names?.includes(name) ?? false;
  }

  add(name: string): void {
    if (!this.names) this.names = [name];
    else if (!this.names.includes(name)) this.names.push(name);
  }
}

const CRLF = "\r\n";
type MessageEvent = Extract<MailEvent, { modseq: number }>;

/** Events kept between reports for accountedChanges(); beyond this, the full report runs. */
const MAX_KEPT_EVENTS = 32;

function isOwn(sel: SelectedMailbox, uid: number, from: number, to: number): boolean {
  const m = sel.ownChanges?.get(uid);
  return m !== undefined && m >= from && m <= to;
}
const FLAG_BATCH = 500;

/** Told of each change to the selected mailbox and of the session's close (the connection, while
 *  the client is in IDLE). An object, not a closure: idle connections are many. */
export interface SessionWatcher {
  sessionChanged(): void;
}

export class Session implements MailListener {
  state: SessionState = { kind: "not-authenticated" };
  /** Extensions turned on by ENABLE (RFC 5161), upper-case. */
  readonly enabled = new Enabled();
  private dirty = false;
  /** The selected mailbox's events since the last report (null: none, or too many to keep). */
  private events: MailEvent[] | null = null;
  private eventsDropped = false;
  private watcher: SessionWatcher | null = null;

  constructor(
    readonly app: AppContext,
    readonly config: ImapConfig,
    readonly io: SessionIo,
    readonly log: Logger,
  ) {}

  /** RFC 7162 3.2.3: after ENABLE QRESYNC, VANISHED replaces EXPUNGE. */
  get qresync(): boolean {
    return this.enabled.has("QRESYNC");
  }

  /**
   * UIDs that left the mailbox leave the client's view: one "* n EXPUNGE" each, highest first so
   * every number is still valid when read (RFC 9051 7.5.1), or a single "* VANISHED uid-set" once
   * QRESYNC is enabled (RFC 7162 3.2.10). `silent` (CLOSE) updates the view without a word.
   */
  expunged(sel: SelectedMailbox, uids: Iterable<number>, opts: { silent?: boolean } = {}): void {
    const gone: number[] = [];
    for (const uid of [...uids].sort((a, b) => b - a)) {
      const seq = sel.uids.remove(uid);
      sel.deferredExpunges?.delete(uid);
      if (seq === 0 || opts.silent) continue;
      if (this.qresync) gone.push(uid);
      else this.sendLine(`* ${seq} EXPUNGE`);
    }
    if (gone.length > 0) this.sendLine(`* VANISHED ${formatSet(gone.reverse())}`);
  }

  /** ENABLE IMAP4rev2 (RFC 9051 Appendix E): rev2 responses from then on. */
  get rev2(): boolean {
    return this.enabled.has("IMAP4REV2");
  }

  get utf8(): boolean {
    return this.enabled.has("UTF8=ACCEPT") || this.enabled.has("IMAP4REV2");
  }

  /** An untagged response: `* items`. */
  send(items: Item[]): void {
    this.io.write(encodeItems(items, { utf8: this.utf8 }, "* ", CRLF));
  }

  sendLine(text: string): void {
    this.io.write(text + CRLF);
  }

  requireAccount(): SessionAccount {
    const s = this.state;
    if (s.kind === "authenticated" || s.kind === "selected") return s.account;
    throw no("Not authenticated");
  }

  requireSelected(): SelectedMailbox {
    const s = this.state;
    if (s.kind !== "selected") throw no("No mailbox selected");
    return s.selected;
  }

  /** After login: listen to this account's mailbox events. */
  login(account: Account, appPassword?: AppPassword): void {
    this.unlisten();
    // Only the id and a stamp of the hash: the full row (password hash, dates) would stay in
    // every idle session.
    this.state = {
      kind: "authenticated",
      account: loginCheck(account, this.app.config.auth.sessionRecheckSec, { appPassword }),
    };
    this.app.notifier.subscribe(account.id, this);
  }

  private unlisten(): void {
    const s = this.state;
    if (s.kind === "authenticated" || s.kind === "selected")
      this.app.notifier.unsubscribe(s.account.id, this);
  }

  close(): void {
    this.unlisten();
    this.state = { kind: "logout" };
    this.wake();
  }

  /** How many events of the account this session has heard, whatever its state (SELECT reads
   *  the mailbox again only when one came while it read: select.ts). */
  eventsHeard = 0;

  /** @internal (the notifier) */
  onMailEvent(e: MailEvent): void {
    this.eventsHeard++;
    if (this.state.kind !== "selected") return;
    if (e.mailboxId !== this.state.selected.mailbox.id) return;
    if (e.kind === "mailbox-renamed")
      this.state.selected.mailbox = { ...this.state.selected.mailbox, name: e.name };
    if (!this.eventsDropped) {
      if (!this.events) this.events = [e];
      else if (this.events.length < MAX_KEPT_EVENTS) this.events.push(e);
      else {
        this.events = null;
        this.eventsDropped = true;
      }
    }
    this.dirty = true;
    this.wake();
  }

  private wake(): void {
    this.watcher?.sessionChanged();
  }

  /** `w` hears of each change to the selected mailbox and of the session's close, until replaced
   *  or cleared with null. One watcher at a time: an idle client waits on nothing else. */
  watch(w: SessionWatcher | null): void {
    this.watcher = w;
  }

  /** Whether a change awaits flushUpdates(). */
  get pending(): boolean {
    return this.dirty;
  }

  markDirty(): void {
    this.dirty = true;
    this.eventsDropped = true; // a change not seen as an event: the full report is needed
    this.events = null;
    this.wake();
  }

  /** Forget pending notifications (after SELECT, which reports the state afresh). */
  markClean(): void {
    this.dirty = false;
    this.events = null;
    this.eventsDropped = false;
  }

  /**
   * Whether every change since the last report is accounted for by its events, with no modseq in
   * between unaccounted for: this session's own flag changes (RFC 7162 ownChanges) and expunges
   * of messages no longer in its view, already told to the client, and new messages (anyone's:
   * they are above every UID the client knows, and the report lists them from the store anyway).
   * Then the report reads no changes: most commands of a busy client only see their own writes
   * come back ("none"), and an APPEND or a delivery needs only its new messages listed ("added").
   * On PostgreSQL each read is a round trip (docs/ARCHITECTURE.md, PostgreSQL store).
   */
  private accountedChanges(sel: SelectedMailbox): "none" | "added" | null {
    if (this.eventsDropped || !this.events) return null;
    const changes: MessageEvent[] = [];
    for (const e of this.events) {
      if (e.kind !== "flags" && e.kind !== "expunged" && e.kind !== "added") return null;
      changes.push(e);
    }
    let next = sel.knownModseq + 1;
    let added = false;
    for (const e of changes.sort((a, b) => a.modseq - b.modseq)) {
      // One modseq per message (the store's setFlags, expunge, filing, COPY and MOVE).
      const first = e.modseq - e.uids.length + 1;
      if (first !== next) return null;
      if (e.kind === "added") added = true;
      else
        for (const uid of e.uids) {
          if (e.kind === "expunged" ? sel.uids.seqOf(uid) !== 0 : !isOwn(sel, uid, first, e.modseq))
            return null;
        }
      next = e.modseq + 1;
    }
    sel.knownModseq = next - 1;
    return added ? "added" : "none";
  }

  /** FLAGS and PERMANENTFLAGS for the selected mailbox: the system flags and its keywords. */
  sendFlagList(sel: SelectedMailbox): void {
    const all = [...SYSTEM_FLAGS, ...(sel.keywords ?? [])].join(" ");
    this.sendLine(`* FLAGS (${all})`);
    this.sendLine(
      sel.readOnly
        ? "* OK [PERMANENTFLAGS ()] Read-only mailbox"
        : `* OK [PERMANENTFLAGS (${all} \\*)] Flags permitted`,
    );
  }

  /** Before a response shows these flags: a keyword the client was not told of yet gets a new
   *  FLAGS response first (RFC 9051 7.3.5, RFC 3501 7.2.6: the client records the update). */
  announceKeywords(sel: SelectedMailbox, flags: readonly string[]): void {
    const next = withKeywords(sel.keywords, flags);
    if (next === sel.keywords) return;
    sel.keywords = next;
    this.sendFlagList(sel);
  }

  /** The flags a FETCH response shows for a message (with \Recent), after announcing any keyword
   *  in them the client was not told of. Every FETCH goes through here: another session may have
   *  set a keyword since this one's last FLAGS, and a client must see the FLAGS response first
   *  (imaptest's "Keyword used without being in FLAGS"). */
  flagsToShow(sel: SelectedMailbox, uid: number, flags: readonly string[]): string[] {
    this.announceKeywords(sel, flags);
    return shownFlags(sel, uid, flags as string[]);
  }

  /**
   * Report other sessions' changes to the selected mailbox (RFC 9051 7.4.1, 5.2). EXPUNGE is held
   * back while `expunges` is false (during FETCH, STORE and SEARCH: sequence numbers must not move).
   */
  async flushUpdates(opts: { expunges: boolean }): Promise<void> {
    if (this.state.kind !== "selected") return;
    const sel = this.state.selected;
    const mail = this.app.store.mail;
    const accounted = this.dirty ? this.accountedChanges(sel) : null;
    if (accounted !== null) {
      this.dirty = false;
      this.events = null;
      sel.ownChanges = null;
      if (accounted === "added") await this.reportNew(sel, sel.uids.maxUid());
    } else if (this.dirty) {
      this.dirty = false;
      this.events = null;
      this.eventsDropped = false;
      const changes = await mail.changesSince(sel.mailbox.id, sel.knownModseq).catch((e: unknown) => {
        if (e instanceof StoreError && e.code === "not-found") return null;
        throw e;
      });
      if (changes === null) {
        // Deleted by another session: nothing sensible can be said about it any more (RFC 9051 7.1.5).
        this.sendLine("* BYE Selected mailbox was deleted");
        this.close();
        return;
      }
      const flagged = new Set<number>();
      const maxKnown = sel.uids.maxUid();
      for (const ch of changes) {
        if (ch.modseq > sel.knownModseq) sel.knownModseq = ch.modseq;
        if (ch.kind === "expunged") {
          if (sel.uids.seqOf(ch.uid) !== 0) deferredExpunges(sel).add(ch.uid);
          flagged.delete(ch.uid);
        } else if (ch.kind === "flags" && ch.uid <= maxKnown) {
          if (sel.ownChanges?.get(ch.uid) === ch.modseq) continue;
          flagged.add(ch.uid);
        }
      }
      sel.ownChanges = null;
      await this.reportNew(sel, maxKnown);
      await this.sendFlagUpdates(
        sel,
        [...flagged].filter((u) => !sel.deferredExpunges?.has(u)),
      );
    }
    if (opts.expunges && sel.deferredExpunges) {
      const gone = [...sel.deferredExpunges];
      sel.deferredExpunges = null;
      this.expunged(sel, gone);
    }
    await this.io.drain();
  }

  /** New messages: whatever is above the largest UID the client knows (`maxKnown`). */
  private async reportNew(sel: SelectedMailbox, maxKnown: number): Promise<void> {
    // With the messages, the \Recent claim when there are any: the first read-write session told
    // of a message has it as recent (RFC 3501 2.3.2). One store call (on PostgreSQL one statement).
    const { messages: added, recent } = await this.app.store.mail.listNew(sel.mailbox.id, {
      minUid: maxKnown + 1,
      recent: this.rev2 ? "none" : sel.readOnly ? "peek" : "claim",
    });
    const before = sel.uids.size;
    for (const m of added) {
      sel.uids.append(m.uid);
      this.announceKeywords(sel, m.flags);
    }
    if (sel.uids.size !== before) {
      this.sendLine(`* ${sel.uids.size} EXISTS`);
      if (recent) {
        addRecent(sel, Math.max(recent.from, maxKnown + 1), recent.to);
        this.sendLine(`* ${recentCount(sel)} RECENT`);
      }
    }
  }

  private async sendFlagUpdates(sel: SelectedMailbox, uids: number[]): Promise<void> {
    uids.sort((a, b) => a - b);
    for (let i = 0; i < uids.length; i += FLAG_BATCH) {
      const batch = uids.slice(i, i + FLAG_BATCH);
      const wanted = new Set(batch);
      const metas = await this.app.store.mail.listFlags(sel.mailbox.id, {
        minUid: batch[0]!,
        maxUid: batch[batch.length - 1]!,
      });
      for (const m of metas) {
        if (!wanted.has(m.uid)) continue;
        const seq = sel.uids.seqOf(m.uid);
        if (seq === 0) continue;
        const items: Item[] = ["UID", m.uid, "FLAGS", this.flagsToShow(sel, m.uid, m.flags)];
        if (sel.condstore) items.push("MODSEQ", [m.modseq]);
        this.send([seq, "FETCH", items]);
      }
      await this.io.drain();
    }
  }
}
