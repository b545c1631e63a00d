// The mail screen's state, wired: the folders, the list of the current view, the selection, the
// notices, and the operations on messages. Flags, moves and deletions show at once (optimistic)
// and are undone if the server refuses them (RFC 8621 4.6 notUpdated, or a method error). Push
// (RFC 8620 7.3) refreshes whatever is shown. No Preact here: ui/MailApp.tsx renders this state
// and calls these actions.
import { Jmap, type JmapApi, MethodError } from "../api/jmap";
import type { StateChange } from "../api/push";
import * as mail from "../mail/actions";
import * as junk from "../mail/junk";
import * as settings from "../mail/settings";
import type { EmailFull, Mailbox } from "../mail/types";
import { MailboxList } from "./mailbox-list";
import { ListModel } from "./message-list";
import { Notices } from "./notices";
import { Selection, type View } from "./selection";
import { Store } from "./store";

/** Push events come in bursts (one per changed type): refresh once they settle. */
export const PUSH_SETTLE_MS = 150;
/** After the event stream closed (e.g. the server restarted): one refresh, a moment later. */
export const CLOSED_REFRESH_MS = 1000;

export interface MailScreenState {
  /** Set when the account could not be loaded at all. */
  fatal: string | null;
  ready: boolean;
  identities: settings.Identity[];
  online: boolean;
  /** The current view's list (a new one for each view). */
  list: ListModel | null;
}

/** Asks the user before an action that cannot be undone; the view supplies it. */
export type Confirm = () => boolean;

export class MailScreen extends Store<MailScreenState> {
  readonly mailboxes: MailboxList;
  readonly selection: Selection;
  readonly notices = new Notices();
  private pushTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly jmap: JmapApi) {
    super({ fatal: null, ready: false, identities: [], online: true, list: null });
    this.mailboxes = new MailboxList(jmap);
    this.selection = new Selection(jmap);
  }

  get list(): ListModel | null {
    return this.state.list;
  }

  /** Load folders and identities, and show the Inbox. */
  async start(): Promise<void> {
    try {
      const [, identities] = await Promise.all([this.mailboxes.load(), settings.loadIdentities(this.jmap)]);
      const home = this.mailboxes.home();
      if (home) this.show({ kind: "mailbox", id: home.id });
      this.set({ identities, ready: true });
    } catch (e) {
      this.set({ fatal: e instanceof Error ? e.message : String(e) });
    }
  }

  show(view: View): void {
    this.selection.show(view);
    const list =
      view.kind === "mailbox"
        ? new ListModel(this.jmap, { filter: { inMailbox: view.id }, search: false, collapseThreads: true })
        : new ListModel(this.jmap, { filter: { text: view.text }, search: true, collapseThreads: false });
    this.set({ list });
  }

  showMailbox(id: string): void {
    this.show({ kind: "mailbox", id });
  }

  /** Search all folders; "back" is the folder to return to. */
  search(text: string): void {
    const q = text.trim();
    const v = this.selection.state.view;
    if (!q || !v) return;
    this.show({ kind: "search", text: q, back: v.kind === "mailbox" ? v.id : v.back });
  }

  endSearch(): void {
    const v = this.selection.state.view;
    if (v?.kind === "search") this.showMailbox(v.back);
  }

  /** Open a message: its conversation is loaded and it is marked read ($seen, RFC 8621 4.1.1). */
  open(id: string, cursor?: number): void {
    const loaded = id === this.selection.state.openId && this.selection.state.thread !== null;
    this.selection.open(id, cursor);
    if (!loaded) void this.loadOpenThread();
  }

  openAtCursor(): void {
    const id = this.list?.idAt(this.selection.state.cursor);
    if (id) this.open(id);
  }

  close(): void {
    this.selection.close();
  }

  private async loadOpenThread(): Promise<void> {
    let thread: EmailFull[] | null;
    try {
      thread = await this.selection.loadThread();
    } catch (e) {
      this.notices.fail(e);
      return;
    }
    const opened = thread && this.selection.opened();
    if (opened && !opened.keywords.$seen) void this.setKeyword([opened.id], "$seen", true);
  }

  /** Everything shown, again from the server (after a push, or the stream closed). */
  refresh(): void {
    void this.mailboxes.reload();
    this.list?.refresh();
    if (this.selection.state.openId) void this.loadOpenThread();
  }

  /** A state change pushed by the server: refresh once the burst settles; announce new mail. */
  onPush(change: StateChange): void {
    const types = Object.values(change.changed)[0] ?? {};
    if (types.EmailDelivery) void this.announceNewMail();
    clearTimeout(this.pushTimer);
    this.pushTimer = setTimeout(() => this.refresh(), PUSH_SETTLE_MS);
  }

  onOnline(online: boolean): void {
    this.set({ online });
  }

  onPushClosed(): void {
    setTimeout(() => this.refresh(), CLOSED_REFRESH_MS);
  }

  /** Nothing may fire after the screen is gone. */
  stop(): void {
    clearTimeout(this.pushTimer);
  }

  private async announceNewMail(): Promise<void> {
    try {
      const acc = this.jmap.accountId;
      const r = await this.jmap.request([
        [
          "Email/query",
          { accountId: acc, sort: [{ property: "receivedAt", isAscending: false }], limit: 1 },
          "q",
        ],
        [
          "Email/get",
          {
            accountId: acc,
            "#ids": { resultOf: "q", name: "Email/query", path: "/ids" },
            properties: ["from", "keywords"],
          },
          "g",
        ],
      ]);
      const e = Jmap.result<{ list: EmailFull[] }>(r, "g").list[0];
      if (e && !e.keywords.$seen) this.notices.say({ kind: "newMail", from: e.from });
    } catch {
      // only a notice
    }
  }

  /**
   * Set or clear a keyword at once in the list and the open conversation, then on the server;
   * if the server refuses, every message gets its keywords back and the error is shown.
   */
  private async setKeyword(ids: string[], keyword: string, on: boolean): Promise<void> {
    const list = this.list;
    const before = new Map<string, Record<string, boolean>>();
    for (const id of ids) {
      const e = list?.emails.get(id) ?? this.selection.state.thread?.find((x) => x.id === id);
      if (e) before.set(id, e.keywords);
    }
    const after = new Map([...before].map(([id, k]) => [id, { ...k, [keyword]: on }]));
    for (const [id, keywords] of after) list?.patch(id, { keywords });
    this.selection.setKeywords(after);
    try {
      await mail.setKeyword(this.jmap, ids, keyword, on);
    } catch (e) {
      for (const [id, keywords] of before) list?.patch(id, { keywords });
      this.selection.setKeywords(before);
      this.notices.fail(e);
    }
  }

  toggleFlag(): Promise<void> {
    const e = this.selection.current(this.list);
    if (!e) return Promise.resolve();
    return this.setKeyword([e.id], "$flagged", !e.keywords.$flagged);
  }

  /** Mark read or unread; unread closes the message (it would be marked read again). */
  setRead(read: boolean): Promise<void> {
    const ids = this.selection.targets(this.list);
    if (ids.length === 0) return Promise.resolve();
    if (!read) this.selection.close();
    return this.setKeyword(ids, "$seen", read);
  }

  archive(): Promise<void> {
    const box = this.mailboxes.byRole("archive");
    return box ? this.move(box.id) : Promise.resolve();
  }

  /** To Trash, or, in Trash or without one, destroyed after confirm() agrees. */
  remove(confirm: Confirm): Promise<void> {
    const ids = this.selection.targets(this.list);
    if (ids.length === 0) return Promise.resolve();
    const trash = this.mailboxes.byRole("trash");
    if (!trash || this.selection.mailboxId() === trash.id) {
      if (!confirm()) return Promise.resolve();
      return this.removeRows(ids, () => mail.destroy(this.jmap, ids), null);
    }
    return this.move(trash.id);
  }

  /** Whether "Spam" would mean "Not spam" here: the Junk folder is shown, or (in a search) the
   *  message acted on lies in it. */
  inJunk(): boolean {
    const junkId = this.mailboxes.byRole("junk")?.id;
    if (!junkId) return false;
    const box = this.selection.mailboxId();
    if (box !== null) return box === junkId;
    return Boolean(this.selection.current(this.list)?.mailboxIds[junkId]);
  }

  /** Spam: to Junk with $junk; Not spam: to the Inbox with $notjunk. One Email/set (mail/junk.ts),
   *  from which the server trains its filter; the rows leave at once and come back if refused. */
  markSpam(spam: boolean): Promise<void> {
    const ids = this.selection.targets(this.list);
    const to = this.mailboxes.byRole(spam ? "junk" : "inbox");
    if (ids.length === 0 || !to) return Promise.resolve();
    return this.moveWith(ids, to.id, () => junk.reportJunk(this.jmap, ids, to.id, spam));
  }

  /** The "!" key: Spam, or Not spam in Junk. */
  toggleSpam(): Promise<void> {
    return this.markSpam(!this.inJunk());
  }

  move(mailboxId: string): Promise<void> {
    return this.moveIds(this.selection.targets(this.list), mailboxId);
  }

  /** Move (RFC 8621 4.6: mailboxIds replaced), e.g. rows dropped on a folder. Into Junk, or from
   *  Junk into the Inbox, it says Spam / Not spam as the buttons do (as Thunderbird does). */
  moveIds(ids: string[], mailboxId: string): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    const role = this.mailboxes.byId(mailboxId)?.role;
    const fromJunk = this.selection.mailboxId() === this.mailboxes.byRole("junk")?.id;
    const spam = role === "junk" ? true : fromJunk && role === "inbox" ? false : null;
    return this.moveWith(ids, mailboxId, () =>
      spam === null
        ? mail.moveTo(this.jmap, ids, mailboxId)
        : junk.reportJunk(this.jmap, ids, mailboxId, spam),
    );
  }

  private moveWith(ids: string[], mailboxId: string, act: () => Promise<void>): Promise<void> {
    const to = this.mailboxes.byId(mailboxId) ?? null;
    if (this.selection.mailboxId() === null || this.selection.mailboxId() === mailboxId) {
      // A search still lists the moved messages (and so does their own folder): shown after.
      return act().then(
        () => {
          this.refresh();
          if (to) this.notices.say({ kind: "moved", to });
        },
        (e) => this.notices.fail(e),
      );
    }
    return this.removeRows(ids, act, to);
  }

  /** Rows leave the list (and the reader) at once; back where they were if the server refuses. */
  private async removeRows(ids: string[], act: () => Promise<void>, to: Mailbox | null): Promise<void> {
    const list = this.list;
    const { openId, cursor } = this.selection.state;
    const hidden = list?.hide(ids);
    const wasOpen = openId !== null && ids.includes(openId);
    if (wasOpen) this.selection.close();
    try {
      await act();
    } catch (e) {
      if (list && hidden) list.restore(hidden);
      if (wasOpen && openId && this.list === list && this.selection.state.openId === null)
        this.open(openId, cursor);
      this.notices.fail(e);
      return;
    }
    list?.refresh();
    void this.mailboxes.reload();
    if (to) this.notices.say({ kind: "moved", to });
  }

  /** Delete a folder (refused by the server while it holds mail); the Inbox is shown if it was. */
  async deleteFolder(box: Mailbox): Promise<void> {
    try {
      await this.mailboxes.destroy(box.id);
    } catch (e) {
      if (e instanceof MethodError && e.type === "mailboxHasEmail")
        this.notices.say({ kind: "folderNotEmpty" });
      else this.notices.fail(e);
      return;
    }
    const home = this.mailboxes.byRole("inbox");
    if (this.selection.mailboxId() === box.id && home) this.showMailbox(home.id);
  }

  async reloadIdentities(): Promise<void> {
    try {
      this.set({ identities: await settings.loadIdentities(this.jmap) });
    } catch {
      // the dialog shows what it had
    }
  }
}
